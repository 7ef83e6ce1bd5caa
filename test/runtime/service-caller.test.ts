/**
 * The HTTP path of `ServiceCaller`: a container service, on Fargate or on Kubernetes, is found
 * through discovery and called at the URL it registered, with the correlation id passed on.
 */
import { ServiceDiscovery } from '../../runtime/discovery';
import { DownstreamError, ServiceCaller } from '../../runtime/service-caller';
import { LocalRegistry } from '../support/local-registry';
import { LoopbackServer, replyJson, startLoopbackServer } from '../support/loopback-server';

describe('ServiceCaller over HTTP', () => {
  let server: LoopbackServer;
  const seen: { method?: string; url?: string; correlationId?: string | string[]; body: string }[] = [];

  beforeAll(async () => {
    server = await startLoopbackServer((request, body, response) => {
      seen.push({ method: request.method, url: request.url, correlationId: request.headers['x-correlation-id'], body: body.toString('utf8') });
      if (request.url === '/pricing/broken') return replyJson(response, 503, { error: 'down' });
      replyJson(response, 200, { taxRatePercent: 19 });
    });
  });
  afterAll(() => server.stop());

  test.each(['fargate', 'kubernetes'])('calls a %s service at the url it registered, with the correlation id', async (runtime) => {
    const registry = new LocalRegistry();
    registry.register('pricing', { runtime, url: `${server.endpoint}/` });
    const caller = new ServiceCaller({ discovery: new ServiceDiscovery({ registry }) });
    const answer = await caller.call('pricing', { method: 'POST', resource: '/pricing/{name}', pathParameters: { name: 'tax rate' }, correlationId: `c-${runtime}`, body: { a: 1 } }, AbortSignal.timeout(5_000));
    expect(answer).toEqual({ statusCode: 200, body: { taxRatePercent: 19 } });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/pricing/tax%20rate', correlationId: `c-${runtime}`, body: '{"a":1}' });
  });

  test('a 5xx from a kubernetes service is a DownstreamError naming it', async () => {
    const registry = new LocalRegistry();
    registry.register('pricing', { runtime: 'kubernetes', url: server.endpoint });
    const caller = new ServiceCaller({ discovery: new ServiceDiscovery({ registry }) });
    await expect(caller.call('pricing', { method: 'GET', resource: '/pricing/broken', correlationId: 'c-1' }, AbortSignal.timeout(5_000))).rejects.toThrow(
      new DownstreamError('pricing', 'it answered 503'),
    );
  });
});
