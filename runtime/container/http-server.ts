/**
 * The HTTP process of a container service, held to the 12-factor rules a process can be held to:
 * it binds the port it is given, keeps no state between requests, logs to stdout, and shuts down
 * gracefully. On SIGTERM (what ECS and Kubernetes send before they stop a task or pod) it fails
 * its health check at once but keeps accepting and answering for the pre-stop interval, so the
 * load balancer or kube-proxy can stop sending it traffic before it stops listening; then it
 * stops accepting connections, lets the requests in flight finish, and exits 0; if they are not
 * done within the drain budget it closes them and exits 1, so a stuck drain shows.
 *
 * Nothing a client sends ends the process or gets an answer outside the platform's JSON error
 * shape: a request target that is no URL path is a 400, a body over the limit a 413, and what
 * Node's HTTP parser refuses (malformed request lines, headers or chunked bodies, headers over
 * 16 KiB, a request that takes too long to arrive) is answered by the `clientError` hook as a
 * 400, 431 or 408 with a JSON body; a `CONNECT` is a 405 and an `Expect` it cannot meet a 417.
 *
 * Requests are handed to the same route handlers as on Lambda, as API Gateway proxy events, so a
 * service's API code does not care which runtime carries it.
 *
 * Every request but the health check gets a server span and a data point of the
 * `http.server.request.duration` histogram (see `request-metrics.ts`); both go through the
 * OpenTelemetry API and cost nothing until `startTelemetry` has registered the providers, which must
 * happen before the server is created.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseRoute } from '../../constructs/model/service-spec';
import { badRequest, clientError, jsonResponse, payloadTooLarge, serverError } from '../http-response';
import { RequestMetrics, UNMATCHED_ROUTE } from './request-metrics';

const tracer = trace.getTracer('container-http-server');

/** What the server logs through. */
export type ServerLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** Handles one request, given as an API Gateway proxy event. */
export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Properties of a {@link ContainerHttpServer}. */
export interface ContainerHttpServerProps {
  /** The routes the handler serves, as in the spec (`GET /products/{id}`); they map paths to resources and path parameters. */
  readonly routes: readonly string[];
  /** Answers every routed request. */
  readonly handle: ProxyHandler;
  /** The health path, answered by the server itself: 200 while serving, 503 once draining. */
  readonly healthPath: string;
  /** Seconds in-flight requests get to finish once the server has stopped accepting connections. */
  readonly drainSeconds: number;
  /**
   * Seconds after SIGTERM during which the server still accepts and answers while its health
   * check fails, so the load balancer deregisters it (or kube-proxy drops the pod) before it
   * stops listening. 0 when something outside the process waited already (a Kubernetes preStop hook).
   * @default 0
   */
  readonly preStopSeconds?: number;
  readonly log: ServerLog;
  /**
   * Largest request body accepted, in bytes; larger ones get 413.
   * @default 1 MiB
   */
  readonly maxBodyBytes?: number;
}

/** How a shutdown ended. */
export type ShutdownOutcome = 'drained' | 'timed-out';

/** The default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

interface MatchedRoute {
  readonly resource: string;
  readonly pathParameters: Record<string, string> | null;
  /** The route template for spans and metrics: the resource, or `unmatched`. */
  readonly route: string;
}

/** An HTTP server for a container service, with a graceful shutdown. */
export class ContainerHttpServer {
  readonly #props: ContainerHttpServerProps;
  readonly #server: http.Server;
  readonly #templates: { resource: string; segments: string[] }[];
  #draining = false;
  #shutdown?: Promise<ShutdownOutcome>;
  #inFlight = 0;
  readonly #metrics = new RequestMetrics();

  constructor(props: ContainerHttpServerProps) {
    if (!Number.isFinite(props.drainSeconds) || props.drainSeconds <= 0) {
      throw new Error(`drainSeconds is ${props.drainSeconds}; expected a positive number of seconds`);
    }
    const preStopSeconds = props.preStopSeconds ?? 0;
    if (!Number.isFinite(preStopSeconds) || preStopSeconds < 0) {
      throw new Error(`preStopSeconds is ${preStopSeconds}; expected zero or a positive number of seconds`);
    }
    this.#props = props;
    this.#templates = props.routes.map((route) => {
      const parsed = parseRoute(route);
      if (typeof parsed === 'string') throw new Error(parsed);
      return { resource: parsed.path, segments: parsed.segments };
    });
    // A missing Host header is answered by #answer in the error shape, not by Node's bare 400.
    this.#server = http.createServer({ requireHostHeader: false }, (request, response) => this.#onRequest(request, response));
    // Longer than the load balancer's idle timeout (60 s), so the balancer, not the server, closes idle connections.
    this.#server.keepAliveTimeout = 65_000;
    this.#server.headersTimeout = 66_000;
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.#onClientError(error, socket));
    // Without these listeners Node would drop a CONNECT's connection and answer an unmet Expect with a bare 417.
    this.#server.on('connect', (_request: http.IncomingMessage, socket: Duplex) => {
      socket.on('error', () => socket.destroy());
      socket.end(rawResponse(clientError(405, 'CONNECT is not served here')));
    });
    this.#server.on('checkExpectation', (_request: http.IncomingMessage, response: http.ServerResponse) => {
      const answer = clientError(417, 'the only expectation this service meets is 100-continue');
      response.writeHead(answer.statusCode, { ...(answer.headers as Record<string, string>), connection: 'close' });
      response.end(answer.body);
    });
  }

  /** Listens on `port` (0 picks a free one) and `host`; resolves with the port bound. */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** True once a shutdown has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Fails the health check, keeps serving for the pre-stop interval, then stops taking connections,
   * lets in-flight requests finish within the drain budget, and closes what is left. Safe to call
   * more than once; every call gets the same outcome.
   */
  shutdown(): Promise<ShutdownOutcome> {
    this.#shutdown ??= this.#stop();
    return this.#shutdown;
  }

  async #stop(): Promise<ShutdownOutcome> {
    this.#draining = true;
    const preStopSeconds = this.#props.preStopSeconds ?? 0;
    if (preStopSeconds > 0) {
      // Still listening: connections made while the balancer or kube-proxy still lists this process are answered, not reset.
      this.#props.log.info('pre-stop: failing the health check, still serving', { preStopSeconds });
      await new Promise((resolve) => setTimeout(resolve, preStopSeconds * 1000));
    }
    return new Promise<ShutdownOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.#props.log.warn('drain budget spent; closing the remaining connections', { inFlight: this.#inFlight });
        this.#server.closeAllConnections();
        resolve('timed-out');
      }, this.#props.drainSeconds * 1000);
      this.#server.close(() => {
        clearTimeout(timer);
        this.#props.log.info('drained');
        resolve('drained');
      });
      // Keep-alive connections with no request on them would hold close() open; requests in flight keep theirs until answered.
      this.#server.closeIdleConnections();
      // Logged once the listener is closed, so the line means no new connection is accepted.
      this.#props.log.info('draining', { inFlight: this.#inFlight, drainSeconds: this.#props.drainSeconds });
    });
  }

  /**
   * Shuts down on SIGTERM or SIGINT and exits: 0 when drained, 1 when the budget ran out.
   * `exit` is there for tests; the default ends the process.
   */
  exitOnSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    const stop = (signal: NodeJS.Signals) => {
      this.#props.log.info('signal received', { signal });
      void this.shutdown().then((outcome) => exit(outcome === 'drained' ? 0 : 1));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }

  #onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    // #serve answers every failure itself; this guard only keeps a bug in it from ending the process.
    this.#serve(request, response).catch((error: unknown) => {
      this.#props.log.error('request could not be answered', error as Error);
      response.destroy();
    });
  }

  async #serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.#inFlight += 1;
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const target = requestTarget(request.url);
    // Health checks get no span and no data point: they would only bury the requests in the service map and the latency.
    const observed = target?.pathname !== this.#props.healthPath;
    const matched: MatchedRoute = target === undefined ? { resource: '', pathParameters: null, route: UNMATCHED_ROUTE } : this.#match(target.pathname);
    const route = matched.route;
    let statusCode = 500;
    let span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    try {
      // A server span, continuing the caller's trace (x-amzn-trace-id); a no-op until telemetry is started.
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      if (observed) {
        span = tracer.startSpan(route === UNMATCHED_ROUTE ? method : `${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.route': route } }, parent);
      }
      const result = await context.with(trace.setSpan(parent, span), () => this.#answer(request, method, target, matched));
      statusCode = result.statusCode;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      // While shutting down, each answered connection is closed, so clients move to another task.
      if (this.#draining) headers.connection = 'close';
      response.writeHead(result.statusCode, headers);
      response.end(result.body);
    } catch (error) {
      this.#props.log.error('request failed outside the handler', error as Error);
      const answer = serverError();
      if (!response.headersSent) response.writeHead(answer.statusCode, answer.headers as Record<string, string>);
      // What the client got: 500, or the status already sent when the failure came later.
      statusCode = response.statusCode;
      response.end(answer.body);
    } finally {
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      if (observed) this.#metrics.record(method, route, statusCode, (performance.now() - started) / 1000);
      this.#inFlight -= 1;
    }
  }

  async #answer(request: http.IncomingMessage, method: string, target: URL | undefined, matched: MatchedRoute): Promise<APIGatewayProxyResult> {
    if (target === undefined) {
      return badRequest('the request target is not a path', [{ path: 'target', message: 'must be a path such as /products, or an absolute http(s) URL' }]);
    }
    if (request.httpVersion === '1.1' && request.headers.host === undefined) {
      return badRequest('the request has no Host header', [{ path: 'host', message: 'header is required in HTTP/1.1' }]);
    }
    if (target.pathname === this.#props.healthPath) {
      return this.#draining ? jsonResponse(503, { status: 'draining' }) : jsonResponse(200, { status: 'ok' });
    }
    const limit = this.#props.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const declared = Number(request.headers['content-length']);
    const body = declared > limit ? 'too-large' : await readBody(request, limit);
    if (body === 'too-large') {
      discardBody(request);
      return payloadTooLarge(limit);
    }
    if (body === 'aborted') {
      // The parser refused the body (clientError has answered) or the client went away: nothing to hand on.
      return clientError(400, 'the request body could not be read');
    }
    // The handler sees this span as the parent of the calls it makes (downstreamHeaders() passes the header on).
    const headers = { ...request.headers };
    propagation.inject(context.active(), headers);
    return this.#props.handle(toProxyEvent(headers, method, target, body, matched));
  }

  /**
   * Answers what Node's HTTP parser refused, in the platform's error shape, and closes the connection.
   * As Node's own default does, it writes only when no response has begun on the socket.
   */
  #onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    const inFlight = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, message] = PARSER_ERRORS[error.code ?? ''] ?? [400, `the request is not well-formed HTTP (${error.code ?? 'unknown error'})`];
    this.#props.log.info('malformed request refused', { statusCode: status, reason: error.code });
    socket.end(rawResponse(clientError(status, message)));
    // end() waits for the client to close its side; a client that never does is cut off.
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  #match(pathname: string): MatchedRoute {
    const segments = pathname.replace(/^\/+|\/+$/g, '').split('/');
    for (const template of this.#templates) {
      if (template.segments.length !== segments.length) continue;
      const parameters: Record<string, string> = {};
      const fits = template.segments.every((segment, index) => {
        if (segment.startsWith('{')) {
          parameters[segment.slice(1, -1)] = safeDecode(segments[index]);
          return segments[index] !== '';
        }
        return segment === segments[index];
      });
      if (fits) return { resource: template.resource, pathParameters: Object.keys(parameters).length > 0 ? parameters : null, route: template.resource };
    }
    // No route: the router answers 404 for an unknown resource.
    return { resource: pathname, pathParameters: null, route: UNMATCHED_ROUTE };
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Parser errors that have a status of their own; any other is a 400. */
const PARSER_ERRORS: Readonly<Record<string, [number, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'the request headers are larger than the 16 KiB this service takes'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'the chunk extensions of the request body are too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'the request did not arrive in time'],
};

/**
 * The request target as a URL on this server: an origin-form target (`/path?query`, including
 * `//a:99999/`, which is a path, not an authority) or an absolute http(s) URL; anything else is `undefined`.
 */
function requestTarget(url: string | undefined): URL | undefined {
  if (url === undefined) return undefined;
  try {
    if (url.startsWith('/')) return new URL(`http://localhost${url}`);
    const absolute = new URL(url);
    return absolute.protocol === 'http:' || absolute.protocol === 'https:' ? absolute : undefined;
  } catch {
    return undefined;
  }
}

/** An error answer written straight to a socket, for the paths where no ServerResponse exists. */
function rawResponse(answer: APIGatewayProxyResult): string {
  const body = Buffer.from(answer.body, 'utf8');
  const headers = { ...(answer.headers as Record<string, string>), 'content-length': String(body.length), connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${answer.statusCode} ${http.STATUS_CODES[answer.statusCode] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body.toString('utf8')}`;
}

/** The body as text; `too-large` once it passes `limit` bytes; `aborted` when it stops before its end. */
function readBody(request: http.IncomingMessage, limit: number): Promise<string | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (outcome: string | 'too-large' | 'aborted') => {
      request.off('data', onData).off('end', onEnd).off('error', onAborted).off('close', onAborted);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish('too-large');
      else chunks.push(chunk);
    };
    const onEnd = () => finish(Buffer.concat(chunks).toString('utf8'));
    const onAborted = () => finish('aborted');
    request.on('data', onData).on('end', onEnd).on('error', onAborted).on('close', onAborted);
  });
}

/** Most bytes of a refused body read and dropped before its connection is cut. */
const MAX_DISCARDED_BYTES = 8 * 1024 * 1024;

/**
 * Lets the rest of a refused body be read and dropped, so the 413 reaches a client still sending
 * (closing on unread data would reset the connection); a client that sends more than
 * {@link MAX_DISCARDED_BYTES} more is cut off.
 */
function discardBody(request: http.IncomingMessage): void {
  let discarded = 0;
  request.on('error', () => undefined);
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BYTES) request.socket.destroy();
  });
  request.resume();
}

function toProxyEvent(requestHeaders: http.IncomingHttpHeaders, method: string, url: URL, body: string, matched: MatchedRoute): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(requestHeaders)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const requestId = randomUUID();
  return {
    httpMethod: method,
    path: url.pathname,
    resource: matched.resource,
    pathParameters: matched.pathParameters,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
    headers,
    multiValueHeaders: {},
    body: body === '' ? null : body,
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: { requestId, httpMethod: method, path: url.pathname, resourcePath: matched.resource } as APIGatewayProxyEvent['requestContext'],
  };
}
