/**
 * The HTTP process of a container service, held to the 12-factor rules a process can be held to:
 * it binds the port it is given, keeps no state between requests, logs to stdout, and shuts down
 * gracefully. On SIGTERM (what ECS and Kubernetes send before they stop a task or pod) it fails
 * its health check, stops accepting connections, lets the requests in flight finish, and exits 0;
 * if they are not done within the drain budget it closes them and exits 1, so a stuck drain shows.
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
import type { AddressInfo } from 'node:net';
import { parseRoute } from '../../../constructs/model/service-spec';
import { jsonResponse } from '../http-response';
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
  /** Seconds in-flight requests get to finish after SIGTERM. */
  readonly drainSeconds: number;
  readonly log: ServerLog;
  /**
   * Largest request body accepted, in bytes; larger ones get 413.
   * @default 1 MiB
   */
  readonly maxBodyBytes?: number;
}

/** How a shutdown ended. */
export type ShutdownOutcome = 'drained' | 'timed-out';

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
    this.#props = props;
    this.#templates = props.routes.map((route) => {
      const parsed = parseRoute(route);
      if (typeof parsed === 'string') throw new Error(parsed);
      return { resource: parsed.path, segments: parsed.segments };
    });
    this.#server = http.createServer((request, response) => void this.#serve(request, response));
    // Longer than the load balancer's idle timeout (60 s), so the balancer, not the server, closes idle connections.
    this.#server.keepAliveTimeout = 65_000;
    this.#server.headersTimeout = 66_000;
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
   * Stops taking connections, lets in-flight requests finish within the drain budget, then closes
   * what is left. Safe to call more than once; every call gets the same outcome.
   */
  shutdown(): Promise<ShutdownOutcome> {
    this.#shutdown ??= new Promise<ShutdownOutcome>((resolve) => {
      this.#draining = true;
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
    return this.#shutdown;
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

  async #serve(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    this.#inFlight += 1;
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    // Health checks get no span and no data point: they would only bury the requests in the service map and the latency.
    const observed = pathname !== this.#props.healthPath;
    const matched = this.#match(pathname);
    const route = matched.route;
    // A server span, continuing the caller's trace (x-amzn-trace-id); a no-op until telemetry is started.
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = observed
      ? tracer.startSpan(route === UNMATCHED_ROUTE ? method : `${method} ${route}`, { kind: SpanKind.SERVER, attributes: { 'http.route': route } }, parent)
      : trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    let statusCode = 500;
    try {
      const result = await context.with(trace.setSpan(parent, span), () => this.#answer(request, matched));
      statusCode = result.statusCode;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      // While draining, each answered connection is closed, so clients move to another task.
      if (this.#draining) headers.connection = 'close';
      response.writeHead(result.statusCode, headers);
      response.end(result.body);
    } catch (error) {
      this.#props.log.error('request failed outside the handler', error as Error);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      // What the client got: 500, or the status already sent when the failure came later.
      statusCode = response.statusCode;
      response.end(JSON.stringify({ error: { code: 'internal_error', message: 'the request could not be completed' } }));
    } finally {
      span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      if (observed) this.#metrics.record(method, route, statusCode, (performance.now() - started) / 1000);
      this.#inFlight -= 1;
    }
  }

  async #answer(request: http.IncomingMessage, matched: MatchedRoute): Promise<APIGatewayProxyResult> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    if (url.pathname === this.#props.healthPath) {
      return this.#draining ? jsonResponse(503, { status: 'draining' }) : jsonResponse(200, { status: 'ok' });
    }
    const body = await readBody(request, this.#props.maxBodyBytes ?? 1024 * 1024);
    if (body === undefined) {
      return jsonResponse(413, { error: { code: 'payload_too_large', message: 'the request body is too large' } });
    }
    // The handler sees this span as the parent of the calls it makes (downstreamHeaders() passes the header on).
    const headers = { ...request.headers };
    propagation.inject(context.active(), headers);
    return this.#props.handle(toProxyEvent(headers, method, url, body, matched));
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

/** The body as text, or `undefined` when it is longer than `limit`. */
async function readBody(request: http.IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
