/**
 * The pricing HTTP server: routes, JSON logs, a health check that turns 503 while draining,
 * and a graceful shutdown that finishes in-flight requests before it closes.
 *
 * Self-contained (Node's http module only) so its Dockerfile builds from this folder alone.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PricingSettings, parseQuoteRequest, priceQuote } from './quote';

/** Largest request body read, in bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Writes one JSON log line. */
export type LogLine = (entry: Record<string, unknown>) => void;

/** Options of the server. */
export interface PricingServerOptions {
  /** The pricing settings. */
  readonly settings: PricingSettings;
  /** Longest a graceful shutdown waits for in-flight requests, in seconds. */
  readonly drainSeconds: number;
  /** @default - JSON lines on stdout */
  readonly log?: LogLine;
}

/** A running pricing server. */
export interface PricingServer {
  /** Starts listening; resolves to the bound port (give 0 for any free port). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops taking new connections, fails the health check, and resolves when in-flight requests are done (or the drain time is up). */
  shutdown(): Promise<'drained' | 'timed out'>;
}

class HttpProblem extends Error {
  constructor(public readonly status: number, message: string, public readonly details?: string[]) {
    super(message);
  }
}

/** The header that carries a correlation id across services, both ways (as in services/shared, which this self-contained server cannot import). */
const CORRELATION_ID_HEADER = 'x-correlation-id';
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's well-formed correlation id, or a new one. */
function correlationIdOf(request: http.IncomingMessage): string {
  const given = request.headers[CORRELATION_ID_HEADER];
  return typeof given === 'string' && SAFE_CORRELATION_ID.test(given.trim()) ? given.trim() : randomUUID();
}

/** The X-Ray trace id (`Root=` of the trace header the load balancer adds), when there is one. */
function traceIdOf(request: http.IncomingMessage): string | undefined {
  const header = request.headers['x-amzn-trace-id'];
  return typeof header === 'string' ? /(?:^|;)Root=([A-Za-z0-9-]{1,64})(?:;|$)/.exec(header)?.[1] : undefined;
}

const stdoutLog: LogLine = (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service: 'pricing', ...entry })}\n`);

/** Creates the server (not yet listening). */
export function createPricingServer(options: PricingServerOptions): PricingServer {
  const log = options.log ?? stdoutLog;
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const route = async (request: http.IncomingMessage): Promise<[number, unknown]> => {
    const path = new URL(request.url ?? '/', 'http://pricing').pathname;
    if (path === '/health') {
      return draining ? [503, { status: 'draining' }] : [200, { status: 'ok' }];
    }
    if (path === '/pricing/tax-rate') {
      if (request.method !== 'GET') throw new HttpProblem(405, 'use GET');
      return [200, { taxRatePercent: options.settings.taxRatePercent, currency: options.settings.currency }];
    }
    if (path === '/pricing/quotes') {
      if (request.method !== 'POST') throw new HttpProblem(405, 'use POST');
      const parsed = parseQuoteRequest(await readJson(request));
      if ('problems' in parsed) throw new HttpProblem(400, 'invalid quote request', parsed.problems);
      return [200, priceQuote(parsed.lines, options.settings)];
    }
    throw new HttpProblem(404, `no route for ${request.method} ${path}`);
  };

  const server = http.createServer((request, response) => {
    const started = process.hrtime.bigint();
    inFlight += 1;
    const correlationId = correlationIdOf(request);
    const traceId = traceIdOf(request);
    const respond = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      response.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        [CORRELATION_ID_HEADER]: correlationId,
        ...(draining ? { connection: 'close' } : {}),
      });
      response.end(text);
      log({
        level: status >= 500 ? 'ERROR' : 'INFO',
        message: 'request',
        method: request.method,
        path: request.url,
        status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        correlation_id: correlationId,
        ...(traceId ? { xray_trace_id: traceId } : {}),
      });
    };
    route(request)
      .then(([status, body]) => respond(status, body))
      .catch((error: unknown) => {
        if (error instanceof HttpProblem) respond(error.status, { message: error.message, ...(error.details ? { problems: error.details } : {}) });
        else respond(500, { message: 'internal error' });
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) idle?.();
      });
  });

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const bound = (server.address() as AddressInfo).port;
          log({ level: 'INFO', message: 'listening', port: bound });
          resolve(bound);
        });
      }),
    shutdown: () => {
      draining = true;
      log({ level: 'INFO', message: 'draining', inFlight });
      server.close();
      server.closeIdleConnections();
      const drained = new Promise<'drained'>((resolve) => {
        if (inFlight === 0) resolve('drained');
        else idle = () => resolve('drained');
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timed out'>((resolve) => {
        timer = setTimeout(() => resolve('timed out'), options.drainSeconds * 1000);
      });
      return Promise.race([drained, timeout]).then((outcome) => {
        clearTimeout(timer);
        server.closeAllConnections();
        log({ level: outcome === 'drained' ? 'INFO' : 'WARN', message: 'stopped', outcome });
        return outcome;
      });
    },
  };
}

function readJson(request: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpProblem(413, `body is larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new HttpProblem(400, 'body is not JSON'));
      }
    });
    request.on('error', reject);
  });
}
