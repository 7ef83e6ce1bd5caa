/**
 * Passing the correlation id (and trace header) on: the pure helper, and a real chain over loopback
 * HTTP, where a container service's route calls a downstream service while answering.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCatalogApi } from '../../services/catalog/catalog-api';
import { CATALOG_ROUTES } from '../../services/catalog/catalog-api';
import type { Product } from '../../services/catalog/product';
import { CallContext, callContextOf, currentCallContext, downstreamHeaders, runWithCallContext, traceIdOf } from '../../runtime/call-context';
import type { ContainerHttpServer } from '../../runtime/container/http-server';
import { apiGatewayEvent } from '../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../support/captured-output';
import { serveOnLoopback } from '../support/container-server';

const TRACE = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1';

describe('callContextOf', () => {
  test('takes the correlation id and the trace header of the request', () => {
    const event = apiGatewayEvent({ method: 'GET', resource: '/x', headers: { 'X-Correlation-Id': 'checkout-7f3a', 'X-Amzn-Trace-Id': TRACE } });
    expect(callContextOf(event, {})).toEqual({ correlationId: 'checkout-7f3a', traceHeader: TRACE });
    expect(traceIdOf(callContextOf(event, {}))).toBe('1-67891233-abcdef012345678912345678');
  });

  test("falls back to Lambda's trace header, and drops a malformed one", () => {
    const bare = { headers: {}, requestContext: { requestId: 'req-1' } } as never;
    expect(callContextOf(bare, { _X_AMZN_TRACE_ID: TRACE })).toEqual({ correlationId: 'req-1', traceHeader: TRACE });
    expect(callContextOf(bare, { _X_AMZN_TRACE_ID: 'Root=1-2\n{"level":"ERROR"}' })).toEqual({ correlationId: 'req-1' });
    expect(traceIdOf({ correlationId: 'req-1' })).toBeUndefined();
  });
});

describe('downstreamHeaders', () => {
  const context: CallContext = { correlationId: 'checkout-7f3a', traceHeader: TRACE };

  test('adds the correlation id and trace header to the headers of the call', () => {
    expect(downstreamHeaders({ 'content-type': 'application/json' }, context)).toEqual({
      'content-type': 'application/json',
      'x-correlation-id': 'checkout-7f3a',
      'x-amzn-trace-id': TRACE,
    });
  });

  test("the request's ids replace any the caller put in, whatever their case", () => {
    expect(downstreamHeaders({ 'X-Correlation-Id': 'forged', 'X-Amzn-Trace-Id': 'Root=other' }, context)).toEqual({ 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': TRACE });
  });

  test('sends no trace header when the request had none', () => {
    expect(downstreamHeaders({}, { correlationId: 'c-1' })).toEqual({ 'x-correlation-id': 'c-1' });
  });

  test('reads the current context inside runWithCallContext, across awaits, and keeps concurrent requests apart', async () => {
    const work = async (id: string, delayMs: number) =>
      runWithCallContext({ correlationId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return downstreamHeaders()['x-correlation-id'];
      });
    expect(await Promise.all([work('first', 20), work('second', 1), work('third', 10)])).toEqual(['first', 'second', 'third']);
    expect(currentCallContext()).toBeUndefined();
  });

  test('refuses to make headers outside a request, rather than lose the correlation id', () => {
    expect(() => downstreamHeaders()).toThrow(/outside a request: run the handler inside runWithCallContext/);
  });
});

describe('a container service passes the correlation id on to the services it calls', () => {
  let output: CapturedOutput;
  let downstream: http.Server;
  let downstreamUrl: string;
  let server: ContainerHttpServer;
  let base: string;
  const received: http.IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    output = captureOutput();
    // The service being called: records what it got.
    downstream = http.createServer((request, response) => {
      received.push(request.headers);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ priceMinor: 4200 }));
    });
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;

    // The catalog API, whose store looks a price up downstream while answering.
    const logger = new Logger({ serviceName: 'catalog' });
    const api = createCatalogApi({
      store: {
        get: async (id: string) => {
          const price = (await (await fetch(`${downstreamUrl}/pricing/${id}`, { headers: downstreamHeaders({ accept: 'application/json' }) })).json()) as { priceMinor: number };
          return { id, name: id, priceMinor: price.priceMinor, currency: 'EUR', category: 'coffee' } as Product;
        },
        list: async () => ({ items: [] }),
      },
      settings: { current: async () => ({ defaultPageSize: 2, maxPageSize: 3 }) },
      logger,
    });
    ({ server, base } = await serveOnLoopback(CATALOG_ROUTES, api, logger));
  });
  afterAll(async () => {
    await server.shutdown();
    await new Promise((resolve) => downstream.close(resolve));
    output.restore();
  });

  test('a request with a correlation id: the downstream call carries it, the logs carry it, the response returns it', async () => {
    received.length = 0;
    const response = await fetch(`${base}/products/kettle`, { headers: { 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': TRACE } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe('checkout-7f3a');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ 'x-correlation-id': 'checkout-7f3a', 'x-amzn-trace-id': TRACE, accept: 'application/json' });
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'request answered', correlation_id: 'checkout-7f3a', xray_trace_id: '1-67891233-abcdef012345678912345678' }));
  });

  test('a request without one: an id is made, passed downstream, logged and returned', async () => {
    received.length = 0;
    const response = await fetch(`${base}/products/grinder`);
    const made = response.headers.get('x-correlation-id');
    expect(made).toMatch(/^[0-9a-f-]{36}$/);
    expect(received[0]['x-correlation-id']).toBe(made);
    expect(output.records()).toContainEqual(expect.objectContaining({ message: 'request answered', correlation_id: made }));
  });
});
