/**
 * Container tracing against a loopback stand-in for the ADOT collector's OTLP/HTTP receiver: the
 * server's span continues the caller's X-Ray trace, the handler's outgoing calls continue from the
 * server's span, health checks make no span, and nothing is traced without a collector.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { callContextOf, downstreamHeaders, runWithCallContext } from '../../../services/shared/call-context';
import { ContainerHttpServer } from '../../../services/shared/container/http-server';
import { RunningTracing, startTracing } from '../../../services/shared/container/tracing';
import { jsonResponse } from '../../../services/shared/http-response';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { intValue?: string | number; stringValue?: string } }[];
}

const ROOT = '1-67891233-abcdef012345678912345678';
const PARENT = '53995c3f42cd8ad8';

describe('container tracing', () => {
  let collector: http.Server;
  let collectorUrl: string;
  const exports: { url: string; body: { resourceSpans: { resource: { attributes: ExportedSpan['attributes'] }; scopeSpans: { spans: ExportedSpan[] }[] }[] } }[] = [];
  let tracing: RunningTracing | undefined;
  let server: ContainerHttpServer;
  let base: string;
  const seen: { event: APIGatewayProxyEvent; outgoing: Record<string, string> }[] = [];

  beforeAll(async () => {
    collector = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        exports.push({ url: request.url!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    tracing = startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, OTEL_SERVICE_NAME: 'shop-test-catalog' });

    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    server = new ContainerHttpServer({
      routes: ['GET /products/{id}'],
      handle: async (event) => {
        const outgoing = runWithCallContext(callContextOf(event, {}), () => downstreamHeaders());
        seen.push({ event, outgoing });
        return jsonResponse(200, { id: event.pathParameters?.id });
      },
      healthPath: '/health',
      drainSeconds: 1,
      log,
    });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await server.shutdown();
    await new Promise((resolve) => collector.close(resolve));
  });

  test('exports a server span in the caller\'s trace, and the handler calls on from that span', async () => {
    await fetch(`${base}/health`);
    const response = await fetch(`${base}/products/kettle`, { headers: { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1`, 'x-correlation-id': 'checkout-7f3a' } });
    expect(response.status).toBe(200);
    await tracing!.shutdown();

    expect(exports.map((e) => e.url)).toEqual(['/v1/traces']);
    const resourceSpans = exports[0].body.resourceSpans;
    expect(resourceSpans[0].resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'shop-test-catalog' } });
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    // One span: the request, not the health check.
    expect(spans).toHaveLength(1);
    const [span] = spans;
    expect(span).toMatchObject({ name: 'GET /products/{id}', kind: 2, traceId: ROOT.slice(2).replace('-', ''), parentSpanId: PARENT });
    expect(span.attributes).toContainEqual({ key: 'http.response.status_code', value: { intValue: 200 } });

    // The handler saw, and passed on, the same trace with the server span as parent.
    const { outgoing } = seen.find((s) => s.event.path === '/products/kettle')!;
    expect(outgoing).toEqual({ 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': `Root=${ROOT};Parent=${span.spanId};Sampled=1` });
  });

  test('without a collector configured, tracing stays off', () => {
    expect(startTracing({})).toBeUndefined();
  });
});
