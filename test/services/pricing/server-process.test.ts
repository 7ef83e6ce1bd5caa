/**
 * The pricing container as a real process: bundled as its Dockerfile bundles it, started with
 * `node` and the environment its chart gives the pod (PORT, DRAIN_SECONDS, the ConfigMap as
 * CONFIG_<key>, the collector's OTEL_* settings), called over HTTP on loopback, then stopped with
 * SIGTERM the way the kubelet stops it.
 */
import * as http from 'node:http';
import * as os from 'node:os';
import { REQUEST_DURATION_METRIC } from '../../../runtime/container/request-metrics';
import { RunningProcess, bundleContainerEntry, startProcess } from '../../support/container-process';
import { OtlpReceiver, startOtlpReceiver } from '../../support/otlp-receiver';
import { isJsonClientError, sendRaw } from '../../support/raw-http';

const CONFIG_MAP = { CONFIG_taxRatePercent: '19', CONFIG_currency: 'EUR' };

describe('pricing server process', () => {
  let bundle: string;
  beforeAll(() => {
    bundle = bundleContainerEntry('services/pricing/server.ts');
  }, 60_000);

  async function startServer(env: Record<string, string>): Promise<{ server: RunningProcess; base: string; port: number }> {
    const server = startProcess(bundle, { PORT: '0', DRAIN_SECONDS: '5', ...CONFIG_MAP, ...env });
    const port = Number((await server.waitForLog((line) => line.message === 'listening')).port);
    return { server, base: `http://127.0.0.1:${port}`, port };
  }

  describe('with a collector', () => {
    let receiver: OtlpReceiver;
    let server: RunningProcess;
    let base: string;
    let exitCode: number | string;
    const replies: { status: number; correlationId: string | null; body: unknown }[] = [];

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      ({ server, base } = await startServer({
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_SERVICE_NAME: 'shop-test-pricing',
        OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=shop,deployment.environment=test',
      }));
      const call = async (path: string, init: RequestInit = {}) => {
        const response = await fetch(`${base}${path}`, init);
        replies.push({ status: response.status, correlationId: response.headers.get('x-correlation-id'), body: await response.json() });
      };
      await call('/health');
      await call('/pricing/quotes', { method: 'POST', headers: { 'x-correlation-id': 'quote-1' }, body: JSON.stringify({ items: [{ sku: 'a', unitPriceCents: 250, quantity: 4 }] }) });
      await call('/pricing/tax-rate');
      await call('/pricing/quotes', { method: 'POST', body: JSON.stringify({ items: [] }) });
      server.child.kill('SIGTERM');
      exitCode = await server.exited;
    }, 30_000);
    afterAll(() => receiver.stop());

    test('answers its routes with the ConfigMap settings, and 400 naming the field', () => {
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 400]);
      expect(replies[1].body).toEqual({ currency: 'EUR', lines: 1, subtotalCents: 1000, taxCents: 190, totalCents: 1190 });
      expect(replies[2].body).toEqual({ taxRatePercent: 19, currency: 'EUR' });
      expect(replies[3].body).toMatchObject({ error: { code: 'bad_request', fields: [{ path: 'items' }] } });
    });

    test('returns the correlation id given, or one it made, and logs JSON lines with it', () => {
      expect(replies[1].correlationId).toBe('quote-1');
      expect(replies[2].correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(server.logs()).toContainEqual(expect.objectContaining({ service: 'pricing', level: 'INFO', message: 'request answered', correlation_id: 'quote-1', statusCode: 200 }));
      expect(server.logs()).toContainEqual(expect.objectContaining({ message: 'request answered', correlation_id: replies[2].correlationId }));
    });

    test('exits 0 after draining on SIGTERM', () => {
      expect(exitCode).toBe(0);
      expect(server.logs().map((l) => l.message)).toEqual(expect.arrayContaining(['listening', 'signal received', 'draining', 'drained']));
    });

    test('exports its spans and request metrics to the collector before it exits', () => {
      expect(receiver.spans().map((s) => s.name).sort()).toEqual(['GET /pricing/tax-rate', 'POST /pricing/quotes', 'POST /pricing/quotes']);
      expect(receiver.spans()[0].resource).toMatchObject({ 'service.name': 'shop-test-pricing', 'deployment.environment': 'test' });
      const points = receiver.dataPoints().filter((p) => p.metric === REQUEST_DURATION_METRIC);
      expect(points.map((p) => [p.kind, p.aggregationTemporality, p.attributes['http.route'], p.attributes['http.response.status_class'], p.count]).sort()).toEqual([
        ['exponentialHistogram', 1, '/pricing/quotes', '2xx', 1],
        ['exponentialHistogram', 1, '/pricing/quotes', '4xx', 1],
        ['exponentialHistogram', 1, '/pricing/tax-rate', '2xx', 1],
      ]);
      expect(points[0].resource).toMatchObject({ 'service.name': 'shop-test-pricing', 'service.namespace': 'shop', 'deployment.environment': 'test' });
    });
  });

  test('on SIGTERM: finishes the request in flight, then exits 0 within the drain budget', async () => {
    const { server, port } = await startServer({});
    // A quote whose body is still arriving when the signal comes.
    const inFlight = new Promise<{ status: number; connection?: string; body: unknown }>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/pricing/quotes' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.write('{"items":[{"sku":"a","unitPriceCents":100,');
      void server.waitForLog((l) => l.message === 'draining').then(() => request.end('"quantity":2}]}'));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    expect(await inFlight).toEqual({ status: 200, connection: 'close', body: { currency: 'EUR', lines: 1, subtotalCents: 200, taxCents: 38, totalCents: 238 } });
    expect(await server.exited).toBe(0);
  }, 30_000);

  test('malformed requests get a 4xx in the error shape; the process stays up and answers the quote in flight', async () => {
    const { server, port, base } = await startServer({});
    try {
      let markSent!: () => void;
      const sent = new Promise<void>((resolve) => (markSent = resolve));
      // A quote whose body is still arriving while the malformed requests come in.
      const inFlight = new Promise<number>((resolve, reject) => {
        const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/pricing/quotes' }, (response) => {
          response.resume();
          resolve(response.statusCode!);
        });
        request.on('error', reject);
        request.write('{"items":[{"sku":"a","unitPriceCents":100,');
        void sent.then(() => request.end('"quantity":2}]}'));
      });
      const replies = await Promise.all([
        sendRaw(port, 'GET //a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'),
        sendRaw(port, 'GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n'),
        sendRaw(port, 'POST /pricing/quotes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'),
        sendRaw(port, `POST /pricing/quotes HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n${'a'.repeat(2 * 1024 * 1024)}`),
      ]);
      markSent();
      expect(replies.map((reply) => [reply.status, isJsonClientError(reply, 'POST')])).toEqual([[404, true], [400, true], [400, true], [413, true]]);
      expect(await inFlight).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  }, 30_000);

  test('listens on every interface unless LISTEN_HOST names one: given 127.0.0.1, no other address of this machine reaches it', async () => {
    // A non-loopback IPv4 address of this machine, to call the server from "outside" loopback.
    const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    expect(external).toBeDefined();
    const reaches = async (host: string, port: number) => fetch(`http://${host}:${port}/health`).then((r) => r.status, () => 'refused');
    const everywhere = await startServer({});
    const loopbackOnly = await startServer({ LISTEN_HOST: '127.0.0.1' });
    try {
      expect(await reaches(external!, everywhere.port)).toBe(200);
      expect(await reaches('127.0.0.1', loopbackOnly.port)).toBe(200);
      expect(await reaches(external!, loopbackOnly.port)).toBe('refused');
      expect(loopbackOnly.server.logs()).toContainEqual(expect.objectContaining({ message: 'listening', host: '127.0.0.1' }));
    } finally {
      everywhere.server.child.kill('SIGTERM');
      loopbackOnly.server.child.kill('SIGTERM');
    }
    expect([await everywhere.server.exited, await loopbackOnly.server.exited]).toEqual([0, 0]);
  }, 30_000);

  test.each([
    ['a tax rate above 100', { CONFIG_taxRatePercent: '190' }, 'CONFIG_taxRatePercent must be at most 100'],
    ['no currency', { CONFIG_currency: '' }, 'CONFIG_currency must match'],
  ])('does not start with %s, and says which setting is wrong', async (_label, settings, reason) => {
    const server = startProcess(bundle, { PORT: '0', ...CONFIG_MAP, ...settings });
    expect(await server.exited).toBe(1);
    expect(server.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'could not start', error: expect.objectContaining({ message: expect.stringContaining(reason) }) }));
  }, 20_000);
});
