/**
 * The container HTTP server on a loopback port, sent what a client may send, malformed or hostile,
 * byte for byte over raw TCP: each gets a 4xx in the platform's error shape, never a crash, a 500
 * or Node's bare parser answer. And its shutdown: health fails at once, connections are still
 * accepted and answered for the pre-stop interval, then refused.
 */
import * as net from 'node:net';
import { ContainerHttpServer } from '../../runtime/container/http-server';
import { ok } from '../../runtime/http-response';
import { routeRequests } from '../../runtime/http-router';
import { isJsonClientError, sendRaw } from '../support/raw-http';

const log = { info: () => undefined, warn: () => undefined, error: jest.fn() };

describe('ContainerHttpServer: what a client sends', () => {
  let server: ContainerHttpServer;
  let port: number;
  const seen: { path: string; body: string | null }[] = [];

  const route = routeRequests<undefined>({
    'GET /products/{id}': async (event) => ok({ path: event.path }),
    'POST /quotes': async (event) => {
      seen.push({ path: event.path, body: event.body });
      return ok({ body: event.body });
    },
  });

  beforeAll(async () => {
    server = new ContainerHttpServer({
      routes: ['GET /products/{id}', 'POST /quotes'],
      handle: (event) => route(event, undefined),
      healthPath: '/health',
      drainSeconds: 1,
      maxBodyBytes: 1024,
      log,
    });
    port = await server.listen(0, '127.0.0.1');
  });
  afterAll(() => server.shutdown());

  const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

  test.each([
    ['a path that looks like an authority with a port out of range', 404, 'GET //a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an absolute URL that is no URL', 400, 'GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an asterisk target', 400, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a method Node does not know', 400, 'BREW /products/a HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['bytes that are no request line', 400, '\x00\x01 hello\r\n\r\n'],
    ['a header 20 KB long', 431, `GET /products/a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['a header with a control character in its value', 400, 'GET /products/a HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n'],
    ['a malformed chunked body', 400, 'POST /quotes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['both Content-Length and Transfer-Encoding', 400, 'POST /quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['a body over the limit', 413, `POST /quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n${'a'.repeat(4096)}`],
    ['a chunked body over the limit', 413, `POST /quotes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n${'a'.repeat(4096)}\r\n0\r\n\r\n`],
    ['a Content-Length far over the limit, with no body yet', 413, 'POST /quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n'],
    ['CONNECT', 405, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
    ['an expectation other than 100-continue', 417, 'POST /quotes HTTP/1.1\r\nHost: x\r\nExpect: coffee\r\nContent-Length: 2\r\n\r\n{}'],
    ['an HTTP/1.1 request without Host', 400, 'GET /products/a HTTP/1.1\r\n\r\n'],
    ['a method the route lacks', 405, 'DELETE /products/a HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('%s gets a %d with a JSON error body', async (_case, status, request) => {
    const reply = await sendRaw(port, request);
    expect(reply.status).toBe(status);
    expect(isJsonClientError(reply)).toBe(true);
    expect(errorOf(reply.body).message).not.toMatch(/stack|at .*\.ts/);
  });

  test('the server is still up and answers after all of them, and no refused body reached the handler', async () => {
    expect(seen).toEqual([]);
    const reply = await sendRaw(port, 'GET /products/kettle HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(reply.status).toBe(200);
    expect(log.error).not.toHaveBeenCalled();
  });

  test('a request in flight on the same process is answered while malformed ones arrive', async () => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const answered = new Promise<string>((resolve) => {
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString('utf8')));
      socket.on('close', () => resolve(reply));
    });
    socket.write('POST /quotes HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"slow":');
    const malformed = await Promise.all([sendRaw(port, 'GET //a:99999/ HTTP/1.1\r\nHost: x\r\n\r\n'), sendRaw(port, 'GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(malformed.map((one) => one.status)).toEqual([404, 400]);
    socket.write('true}');
    const text = await answered;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain(JSON.stringify({ body: '{"slow":true}' }));
  });

  test('an origin-form path that starts with // is a path, matched against the routes', async () => {
    const reply = await sendRaw(port, 'GET //products/a HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ path: '//products/a' });
  });
});

describe('ContainerHttpServer: shutdown with a pre-stop interval', () => {
  test('fails /health at once, still accepts and answers for the pre-stop interval, then refuses connections and drains', async () => {
    const server = new ContainerHttpServer({ routes: ['GET /things/{id}'], handle: async () => ok({ ok: true }), healthPath: '/health', drainSeconds: 1, preStopSeconds: 1, log });
    const port = await server.listen(0, '127.0.0.1');
    const request = (path: string) => sendRaw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect((await request('/health')).status).toBe(200);

    const startedAt = Date.now();
    const outcome = server.shutdown();
    const health = await request('/health');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: 'draining' });
    const during = await request('/things/1');
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');

    expect(await outcome).toBe('drained');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
    expect((await request('/things/1')).error).toBe('ECONNREFUSED');
  });

  test('without a pre-stop interval it stops listening at once', async () => {
    const server = new ContainerHttpServer({ routes: ['GET /things/{id}'], handle: async () => ok({}), healthPath: '/health', drainSeconds: 1, log });
    const port = await server.listen(0, '127.0.0.1');
    await server.shutdown();
    expect((await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).error).toBe('ECONNREFUSED');
  });

  test('refuses a negative pre-stop interval', () => {
    expect(() => new ContainerHttpServer({ routes: [], handle: async () => ok({}), healthPath: '/health', drainSeconds: 1, preStopSeconds: -1, log })).toThrow('preStopSeconds is -1');
  });
});
