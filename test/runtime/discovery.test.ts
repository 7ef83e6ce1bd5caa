import { CloudMapRegistry, DiscoveryError, ServiceDiscovery } from '../../runtime/discovery';
import { CloudMapServer, startCloudMapServer } from '../support/cloud-map-server';
import { LocalRegistry } from '../support/local-registry';

const ORDERS = { runtime: 'lambda', functionName: 'shop-test-orders', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shop-test-orders', routes: 'GET /orders/{id}' };
const CATALOG = { runtime: 'fargate', url: 'http://internal-shop-test-catalog.eu-west-1.elb.amazonaws.com/', serviceConnect: 'http://catalog:8080' };
/** What the kubernetes runtime registers for a service without routes: its Service. */
const PRICING = { runtime: 'kubernetes', url: 'http://pricing.shop.svc.cluster.local' };
/** And for one with routes: the cluster's load balancer, and its Service for callers in the cluster. */
const RATINGS = { runtime: 'kubernetes', url: 'http://internal-shop-test-eks.eu-west-1.elb.amazonaws.com', clusterUrl: 'http://ratings.shop.svc.cluster.local/' };

describe('ServiceDiscovery', () => {
  let registry: LocalRegistry;
  let now: number;
  const discovery = (props: { ttlSeconds?: number; retries?: number; backoffMs?: number } = {}) =>
    new ServiceDiscovery({ registry, now: () => now, random: () => 0.5, backoffMs: 1, ...props });

  beforeEach(() => {
    registry = new LocalRegistry();
    registry.register('orders', ORDERS);
    registry.register('catalog', CATALOG);
    registry.register('pricing', PRICING);
    now = 1_000_000;
  });

  test('resolves a Lambda service to its function and a container service (Fargate or Kubernetes) to its base URL', async () => {
    const found = discovery();
    await expect(found.resolve('orders')).resolves.toEqual({ runtime: 'lambda', functionName: ORDERS.functionName, functionArn: ORDERS.functionArn });
    await expect(found.resolve('catalog')).resolves.toEqual({ runtime: 'fargate', url: 'http://internal-shop-test-catalog.eu-west-1.elb.amazonaws.com' });
    await expect(found.resolve('pricing')).resolves.toEqual({ runtime: 'kubernetes', url: 'http://pricing.shop.svc.cluster.local' });
  });

  test("a kubernetes service with routes: callers outside its cluster get the load balancer, callers in the cluster's pods its Service", async () => {
    registry.register('ratings', RATINGS);
    await expect(new ServiceDiscovery({ registry, insideCluster: false }).resolve('ratings')).resolves.toEqual({ runtime: 'kubernetes', url: RATINGS.url });
    await expect(new ServiceDiscovery({ registry, insideCluster: true }).resolve('ratings')).resolves.toEqual({ runtime: 'kubernetes', url: 'http://ratings.shop.svc.cluster.local' });
    // A service without routes has only its Service, for everyone.
    await expect(new ServiceDiscovery({ registry, insideCluster: true }).resolve('pricing')).resolves.toEqual({ runtime: 'kubernetes', url: PRICING.url });
  });

  test('a caller is inside the cluster when Kubernetes has set KUBERNETES_SERVICE_HOST, as it does in every pod', async () => {
    registry.register('ratings', RATINGS);
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    try {
      process.env.KUBERNETES_SERVICE_HOST = '10.100.0.1';
      await expect(new ServiceDiscovery({ registry }).resolve('ratings')).resolves.toMatchObject({ url: 'http://ratings.shop.svc.cluster.local' });
      delete process.env.KUBERNETES_SERVICE_HOST;
      await expect(new ServiceDiscovery({ registry }).resolve('ratings')).resolves.toMatchObject({ url: RATINGS.url });
    } finally {
      if (saved === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      else process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });

  test('asks the registry once per TTL under repeated calls, and again once the TTL has passed', async () => {
    const found = discovery({ ttlSeconds: 30 });
    for (let call = 0; call < 20; call += 1) await found.resolve('orders');
    expect(registry.lookups.get('orders')).toBe(1);
    now += 29_999;
    await found.resolve('orders');
    expect(registry.lookups.get('orders')).toBe(1);
    now += 2;
    await found.resolve('orders');
    await found.resolve('orders');
    expect(registry.lookups.get('orders')).toBe(2);
  });

  test('concurrent callers share one lookup', async () => {
    const found = discovery();
    await Promise.all(Array.from({ length: 10 }, () => found.resolve('catalog')));
    expect(registry.lookups.get('catalog')).toBe(1);
  });

  test('retries a failed lookup with backoff and then answers', async () => {
    registry.failNext(2);
    await expect(discovery({ retries: 2 }).resolve('orders')).resolves.toMatchObject({ runtime: 'lambda' });
    expect(registry.lookups.get('orders')).toBe(3);
  });

  test('gives a clear error naming the service once the retries are spent, and caches nothing', async () => {
    registry.failNext(3);
    const found = discovery({ retries: 2 });
    await expect(found.resolve('orders')).rejects.toThrow(new DiscoveryError('orders', 'the registry failed: registry unavailable (ThrottlingException) (3 attempts)'));
    expect(registry.lookups.get('orders')).toBe(3);
    await expect(found.resolve('orders')).resolves.toMatchObject({ runtime: 'lambda' });
  });

  test('waits a jittered, doubling backoff between attempts', async () => {
    registry.failNext(2);
    const started = Date.now();
    // random() is 0.5: waits of 0.5 x 200 ms and 0.5 x 400 ms
    await new ServiceDiscovery({ registry, retries: 2, backoffMs: 200, random: () => 0.5 }).resolve('orders');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('a service with no healthy instance, or without the attributes it needs, is an error', async () => {
    await expect(discovery({ retries: 1 }).resolve('payments')).rejects.toThrow("cannot discover service 'payments': the registry lists no healthy instance (2 attempts)");
    registry.register('broken', { runtime: 'lambda', functionName: 'x' });
    await expect(discovery().resolve('broken')).rejects.toThrow(/instance broken-1 has runtime 'lambda' without the attributes it needs/);
  });

  test.each([
    ['without a url', { runtime: 'kubernetes' }],
    ['with a url that is not http(s)', { runtime: 'kubernetes', url: 'pricing.shop.svc.cluster.local' }],
    ['of a runtime it does not know', { runtime: 'ec2', url: 'http://10.0.0.1' }],
  ])('an instance %s is an error naming what it needs', async (_label, attributes) => {
    registry.register('odd', attributes);
    await expect(discovery().resolve('odd')).rejects.toThrow(
      `cannot discover service 'odd': instance odd-1 has runtime '${attributes.runtime}' without the attributes it needs (lambda: functionName and functionArn; fargate or kubernetes: an http(s) url)`,
    );
  });
});

describe('CloudMapRegistry (real SDK client against a loopback DiscoverInstances)', () => {
  let cloudMap: CloudMapServer;

  beforeAll(async () => {
    cloudMap = await startCloudMapServer();
    cloudMap.register('shop-test', 'orders', { instanceId: 'orders-1', attributes: ORDERS, healthy: true });
    cloudMap.register('shop-test', 'catalog', { instanceId: 'catalog-1', attributes: CATALOG, healthy: false });
  });
  afterAll(async () => {
    await cloudMap.stop();
  });

  test('asks the namespace for healthy instances of the service by name', async () => {
    const registry = new CloudMapRegistry({ namespaceName: 'shop-test', client: cloudMap.client() });
    await expect(registry.healthyInstances('orders')).resolves.toEqual([{ instanceId: 'orders-1', attributes: ORDERS }]);
    expect(cloudMap.requests.at(-1)).toMatchObject({ NamespaceName: 'shop-test', ServiceName: 'orders', HealthStatus: 'HEALTHY' });
    await expect(registry.healthyInstances('catalog')).resolves.toEqual([]);
  });

  test('through ServiceDiscovery: a failing Cloud Map is retried, then named in the error', async () => {
    const discovery = new ServiceDiscovery({ registry: new CloudMapRegistry({ namespaceName: 'shop-test', client: cloudMap.client() }), retries: 1, backoffMs: 1 });
    cloudMap.failNext(1);
    await expect(discovery.resolve('orders')).resolves.toMatchObject({ functionName: 'shop-test-orders' });
    cloudMap.failNext(2);
    await expect(new ServiceDiscovery({ registry: new CloudMapRegistry({ namespaceName: 'shop-test', client: cloudMap.client() }), retries: 1, backoffMs: 1 }).resolve('orders'))
      .rejects.toThrow(/cannot discover service 'orders': the registry failed: .*injected failure.* \(2 attempts\)/);
  });
});
