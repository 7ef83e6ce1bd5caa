/**
 * The catalog container as a real process: bundled as its Dockerfile bundles it, started with
 * `node`, its table on a DynamoDB protocol server (dynalite) and its config on a loopback
 * Parameter Store; called over HTTP on loopback, then stopped with SIGTERM mid-request.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as net from 'node:net';
import { catalog } from '../../../services/catalog/service';
import { REQUEST_DURATION_METRIC } from '../../../runtime/container/request-metrics';
import { TEST_CREDENTIALS, TEST_REGION } from '../../support/aws-test-settings';
import { RunningProcess, StallingProxy, bundleContainerEntry, startProcess, startStallingProxy } from '../../support/container-process';
import { LocalDynamoDb, startLocalDynamoDb } from '../../support/local-dynamodb';
import { startOtlpReceiver } from '../../support/otlp-receiver';
import { ParameterStoreServer, startParameterStoreServer } from '../../support/parameter-store-server';
import { RawReply, isJsonClientError, sendRaw } from '../../support/raw-http';

const TABLE = 'catalog-process-test';
const CONFIG_PATH = '/shop/test/catalog';
const DRAIN_SECONDS = 5;
const products = [
  { id: 'grinder', name: 'Burr grinder', priceMinor: 12900, currency: 'EUR', category: 'coffee' },
  { id: 'kettle', name: 'Gooseneck kettle', priceMinor: 6900, currency: 'EUR', category: 'coffee' },
  { id: 'scale', name: 'Brew scale', priceMinor: 3900, currency: 'EUR', category: 'coffee' },
  { id: 'slow-dripper', name: 'Dripper', priceMinor: 2500, currency: 'EUR', category: 'coffee' },
];

describe('catalog server process', () => {
  let bundle: string;
  let dynamodb: LocalDynamoDb;
  let parameterStore: ParameterStoreServer;
  let proxy: StallingProxy;

  const environment = (overrides: Record<string, string> = {}) => ({
    PORT: '0',
    TABLE_NAME: TABLE,
    CONFIG_PATH,
    DRAIN_SECONDS: String(DRAIN_SECONDS),
    POWERTOOLS_SERVICE_NAME: 'catalog',
    POWERTOOLS_METRICS_NAMESPACE: 'shop',
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
    AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
    ...overrides,
  });

  /** Starts the server and resolves with it and its base URL once it listens. */
  async function startServer(overrides: Record<string, string> = {}): Promise<{ server: RunningProcess; base: string; port: number }> {
    const server = startProcess(bundle, environment(overrides));
    const listening = await server.waitForLog((line) => line.message === 'listening');
    const port = Number(listening.port);
    return { server, base: `http://127.0.0.1:${port}`, port };
  }

  beforeAll(async () => {
    bundle = bundleContainerEntry('services/catalog/server.ts');
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, catalog.table!);
    for (const product of products) await dynamodb.documents.send(new PutCommand({ TableName: TABLE, Item: product }));
    parameterStore = await startParameterStoreServer({ [`${CONFIG_PATH}/defaultPageSize`]: '2', [`${CONFIG_PATH}/maxPageSize`]: '3' });
    proxy = await startStallingProxy(dynamodb.endpoint, /"slow-dripper"/);
  }, 60_000);

  afterAll(async () => {
    await proxy.stop();
    await parameterStore.stop();
    await dynamodb.stop();
  });

  describe('serving', () => {
    let server: RunningProcess;
    let base: string;
    beforeAll(async () => ({ server, base } = await startServer()), 20_000);
    afterAll(async () => {
      server.child.kill('SIGTERM');
      await server.exited;
    });

    test('answers its health check', async () => {
      const response = await fetch(`${base}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    test('pages through the products with the page size from Parameter Store', async () => {
      const first = await fetch(`${base}/products`);
      expect(first.status).toBe(200);
      const page1 = (await first.json()) as { items: { id: string }[]; next?: string };
      expect(page1.items).toHaveLength(2);
      expect(page1.next).toEqual(expect.any(String));
      const second = (await (await fetch(`${base}/products?limit=3&cursor=${page1.next}`)).json()) as { items: { id: string }[]; next?: string };
      const ids = [...page1.items, ...second.items].map((p) => p.id).sort();
      expect(ids).toEqual(products.map((p) => p.id).sort());
    });

    test('answers one product by id, with the correlation id given, and logs it', async () => {
      const response = await fetch(`${base}/products/kettle`, { headers: { 'x-correlation-id': 'trace-me-123' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-correlation-id')).toBe('trace-me-123');
      expect(await response.json()).toEqual(products[1]);
      const line = await server.waitForLog((l) => l.correlation_id === 'trace-me-123' && l.message === 'request answered');
      expect(line).toMatchObject({ service: 'catalog', level: 'INFO', statusCode: 200, path: '/products/kettle' });
    });

    test('makes a correlation id when none is given and returns it', async () => {
      const response = await fetch(`${base}/products/grinder`);
      const id = response.headers.get('x-correlation-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await server.waitForLog((l) => l.correlation_id === id);
    });

    test('answers 404 with a JSON error for an unknown product', async () => {
      const response = await fetch(`${base}/products/espresso-machine`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'there is no product espresso-machine' } });
    });

    test('logs the X-Ray trace id its load balancer passes, beside the correlation id', async () => {
      const root = '1-67891233-abcdef012345678912345678';
      await fetch(`${base}/products/scale`, { headers: { 'x-correlation-id': 'traced-1', 'x-amzn-trace-id': `Root=${root};Sampled=1` } });
      const line = await server.waitForLog((l) => l.correlation_id === 'traced-1' && l.message === 'request answered');
      expect(line).toMatchObject({ xray_trace_id: root, service: 'catalog' });
    });

    test('emits its metrics as EMF on stdout, which CloudWatch turns into metrics in the platform namespace', async () => {
      await fetch(`${base}/products/no-such-product`);
      const emf = await server.waitForLog((l) => typeof l.ProductsNotFound === 'number');
      expect(emf).toMatchObject({ ProductsNotFound: 1, service: 'catalog' });
      expect(emf._aws).toMatchObject({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'shop', Metrics: [{ Name: 'ProductsNotFound', Unit: 'Count' }] })] });
    });

    test.each([
      ['a limit that is not a number', '/products?limit=ten', 'limit'],
      ['a limit above the configured maximum', '/products?limit=50', 'limit'],
      ['an unknown query parameter', '/products?colour=red', 'colour'],
      ['a cursor this service did not give out', '/products?cursor=bm90LWEta2V5', 'cursor'],
      ['a malformed product id', '/products/Not_An_Id', 'id'],
    ])('answers 400 naming the field for %s', async (_case, url, field) => {
      const response = await fetch(`${base}${url}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; fields: { path: string }[] } };
      expect(body.error.code).toBe('bad_request');
      expect(body.error.fields.map((f) => f.path)).toContain(field);
    });

    test('answers 404 for a path no route has, and 405 for a method the route lacks', async () => {
      expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
      const post = await fetch(`${base}/products`, { method: 'POST', body: '{}' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET');
    });
  });

  test('a malformed request line gets a 4xx in the error shape, and the process stays up and answers the request in flight', async () => {
    const stalling = await startStallingProxy(dynamodb.endpoint, /"slow-dripper"/);
    const { server, base, port } = await startServer({ AWS_ENDPOINT_URL_DYNAMODB: stalling.endpoint });
    try {
      const inFlight = fetch(`${base}/products/slow-dripper`);
      await stalling.stalled;
      const replies = await Promise.all([
        sendRaw(port, 'GET //a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'),
        sendRaw(port, 'GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n'),
        sendRaw(port, `GET /products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      ]);
      expect(replies.map((reply) => [reply.status, isJsonClientError(reply)])).toEqual([[404, true], [400, true], [431, true]]);
      stalling.release();
      expect((await inFlight).status).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
      await stalling.stop();
    }
  }, 30_000);

  test('shutdown under load: no connection made during the pre-stop interval is reset, every accepted request is answered, exit 0', async () => {
    const PRE_STOP_SECONDS = 2;
    const stalling = await startStallingProxy(dynamodb.endpoint, /"slow-dripper"/);
    const { server, base, port } = await startServer({ AWS_ENDPOINT_URL_DYNAMODB: stalling.endpoint, PRE_STOP_SECONDS: String(PRE_STOP_SECONDS) });
    try {
      const replies: { startedAt: number; reply: RawReply }[] = [];
      let signalledAt = Number.POSITIVE_INFINITY;
      // New connections are made until shortly before the pre-stop interval ends (a margin for the loaded machine).
      const stopLoadAt = () => signalledAt + PRE_STOP_SECONDS * 1000 - 300;
      const worker = async () => {
        while (Date.now() < stopLoadAt()) {
          const startedAt = Date.now();
          replies.push({ startedAt, reply: await sendRaw(port, 'GET /products/kettle HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 10_000) });
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, worker));
      await new Promise((resolve) => setTimeout(resolve, 300));

      signalledAt = Date.now();
      server.child.kill('SIGTERM');
      await server.waitForLog((l) => l.message === 'pre-stop: failing the health check, still serving');
      // A request accepted during the pre-stop interval that is still running when the listener closes.
      const inFlight = fetch(`${base}/products/slow-dripper`, { headers: { connection: 'close' } });
      await stalling.stalled;
      const health = await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect([health.status, JSON.parse(health.body)]).toEqual([503, { status: 'draining' }]);
      await load;

      await server.waitForLog((l) => l.message === 'draining', 10_000);
      expect((await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).error).toBe('ECONNREFUSED');
      stalling.release();
      expect((await inFlight).status).toBe(200);
      expect(await server.exited).toBe(0);

      const duringPreStop = replies.filter((r) => r.startedAt >= signalledAt);
      expect(duringPreStop.length).toBeGreaterThanOrEqual(20);
      expect(duringPreStop.filter((r) => r.reply.status !== 200 || r.reply.error !== undefined).map((r) => r.reply.error ?? r.reply.status)).toEqual([]);
      expect(replies.every((r) => r.reply.status === 200)).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
      await stalling.stop();
    }
  }, 60_000);

  test('with a collector configured: traces each request in the caller\'s trace and exports spans and request metrics before it exits', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const { server, base } = await startServer({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'shop-test-catalog' });
      const root = '1-67891233-0123456789abcdef01234567';
      expect((await fetch(`${base}/products/grinder`, { headers: { 'x-amzn-trace-id': `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` } })).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(receiver.spans()).toContainEqual(expect.objectContaining({ name: 'GET /products/{id}', traceId: root.slice(2).replace('-', '') }));
      // The default export interval is a minute: this data point was flushed on the way out.
      expect(receiver.dataPoints()).toContainEqual(
        expect.objectContaining({ metric: REQUEST_DURATION_METRIC, count: 1, attributes: expect.objectContaining({ 'http.route': '/products/{id}', 'http.response.status_class': '2xx' }) }),
      );
    } finally {
      await receiver.stop();
    }
  }, 30_000);

  test('does not start when its config cannot be read, and says why', async () => {
    const server = startProcess(bundle, environment({ CONFIG_PATH: '/shop/test/nothing-here' }));
    expect(await server.exited).toBe(1);
    expect(server.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'could not start' }));
  }, 20_000);

  test('on SIGTERM: finishes the request in flight, refuses new connections, exits 0 within the drain budget', async () => {
    const { server, base, port } = await startServer();
    const inFlight = fetch(`${base}/products/slow-dripper`);
    await proxy.stalled; // the request is now waiting on its table read

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await server.waitForLog((l) => l.message === 'draining');
    const health = await connectOutcome(port);
    expect(health).toBe('ECONNREFUSED');

    proxy.release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe('slow-dripper');
    expect(response.headers.get('connection')).toBe('close');

    expect(await server.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(DRAIN_SECONDS * 1000);
    expect(server.logs().map((l) => l.message)).toEqual(expect.arrayContaining(['signal received', 'draining', 'drained']));
  }, 30_000);

  test('when the drain budget runs out: closes what is left and exits 1, so a stuck drain shows', async () => {
    const stuck = await startStallingProxy(dynamodb.endpoint, /"slow-dripper"/);
    try {
      const { server, base } = await startServer({ DRAIN_SECONDS: '1', AWS_ENDPOINT_URL_DYNAMODB: stuck.endpoint });
      const inFlight = fetch(`${base}/products/slow-dripper`).then(
        (response) => response.status,
        () => 'cut off',
      );
      await stuck.stalled;
      const signalledAt = Date.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(3000);
      expect(await inFlight).toBe('cut off');
      expect(server.logs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'drain budget spent; closing the remaining connections' }));
    } finally {
      await stuck.stop();
    }
  }, 30_000);
});

/** Whether a TCP connection to the port is accepted: 'connected', or the error code. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}
