/**
 * The local edge: the REST API of the assembly on 127.0.0.1. For each route it does what the
 * synthesized API Gateway method does, in the same order: match the route, check the bearer token
 * (signed by the local issuer) holds the route's scope, apply the stage's throttling, check the body
 * against the route's model, then hand the request to the service (a Lambda proxy event to its
 * function, or the request itself to its container) and answer with what the service answered.
 * Errors of the edge itself are answered in the gateway responses' JSON shape.
 *
 * `GET /_local/token?frontEnd=web` hands out an access token of that front end's app client;
 * `GET /.well-known/jwks.json` serves the issuer's public keys.
 */
import Ajv04 from 'ajv-draft-04';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenBucket } from 'limiter';
import type { LocalRoute } from '../assembly/platform-model';
import type { InvocationOutcome } from '../runner/local-functions';
import type { AccessClaims, LocalIssuer } from './local-issuer';

/** One request the edge answered, for the dashboard. */
export interface EdgeRequestRecord {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  /** `METHOD /template` of the matched route. */
  readonly route?: string;
  readonly service?: string;
  readonly status: number;
  readonly durationMs: number;
  readonly correlationId?: string;
}

/** What the edge needs from the rest of the platform. */
export interface LocalEdgeProps {
  readonly routes: readonly LocalRoute[];
  readonly issuer: LocalIssuer;
  /** The gateway responses' templates by type (`DEFAULT_4XX`, `DEFAULT_5XX`, `BAD_REQUEST_BODY`). */
  readonly gatewayResponses: Readonly<Record<string, string>>;
  /** Invokes a function with a proxy event. */
  readonly invoke: (functionName: string, event: APIGatewayProxyEvent) => Promise<InvocationOutcome>;
  /** The base URL of a container service's process. */
  readonly containerUrl: (service: string) => string | undefined;
  /** The stage name requests are made to. @default 'dev' */
  readonly stage?: string;
  /** Port to listen on. @default - a free one */
  readonly port?: number;
}

interface CompiledRoute {
  readonly route: LocalRoute;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly bucket: TokenBucket;
  readonly validate?: ReturnType<Ajv04['compile']>;
}

/** A gateway error: status, response type and message. */
class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly responseType: 'DEFAULT_4XX' | 'DEFAULT_5XX' | 'BAD_REQUEST_BODY',
    message: string,
  ) {
    super(message);
  }
}

const INTEGRATION_TIMEOUT_MS = 29_000;

export class LocalEdge {
  readonly #props: LocalEdgeProps;
  readonly #routes: CompiledRoute[];
  readonly #server: http.Server;
  /** The newest requests, oldest first. */
  readonly requests: EdgeRequestRecord[] = [];
  #url = '';

  private constructor(props: LocalEdgeProps) {
    this.#props = props;
    this.#routes = props.routes.map((route) => compile(route));
    this.#server = http.createServer((request, response) => {
      void this.#handle(request, response);
    });
  }

  static async start(props: LocalEdgeProps): Promise<LocalEdge> {
    const edge = new LocalEdge(props);
    await new Promise<void>((resolve, reject) => {
      edge.#server.once('error', reject);
      edge.#server.listen(props.port ?? 0, '127.0.0.1', () => resolve());
    });
    edge.#url = `http://127.0.0.1:${(edge.#server.address() as AddressInfo).port}`;
    return edge;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.#url;
  }

  /** Every route, as `METHOD /path` with its service and scopes. */
  get routes(): readonly LocalRoute[] {
    return this.#routes.map((compiled) => compiled.route);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let matched: CompiledRoute | undefined;
    let status = 500;
    let correlationId = headerOf(request, 'x-correlation-id');
    try {
      const body = await readBody(request);
      if (request.method === 'GET' && url.pathname === '/_local/token') {
        status = await this.#token(url, response);
        return;
      }
      if (request.method === 'GET' && url.pathname === '/.well-known/jwks.json') return void sendJson(response, (status = 200), this.#props.issuer.jwks);
      const found = this.#match(request.method ?? 'GET', url.pathname);
      if (found === undefined) throw new GatewayError(403, 'DEFAULT_4XX', 'Missing Authentication Token');
      matched = found.compiled;
      const claims = await this.#authorize(request, matched.route);
      if (!matched.bucket.tryRemoveTokens(1)) throw new GatewayError(429, 'DEFAULT_4XX', 'Too Many Requests');
      if (matched.validate !== undefined) this.#checkBody(matched, body);
      const answer = matched.route.integration.kind === 'lambda'
        ? await this.#invokeFunction(matched.route, matched.route.integration.functionName, request, url, found.parameters, body, claims)
        : await this.#callContainer(matched.route, request, url, body);
      status = answer.statusCode;
      correlationId = answer.headers['x-correlation-id'] ?? correlationId;
      response.writeHead(answer.statusCode, answer.headers);
      response.end(answer.body);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : new GatewayError(500, 'DEFAULT_5XX', 'Internal server error');
      status = failure.status;
      this.#sendGatewayError(response, failure);
    } finally {
      this.requests.push({
        at: new Date(started).toISOString(),
        method: request.method ?? 'GET',
        path: url.pathname,
        ...(matched === undefined ? {} : { route: `${matched.route.method} ${matched.route.path}`, service: matched.route.service }),
        status,
        durationMs: Date.now() - started,
        ...(correlationId === undefined ? {} : { correlationId }),
      });
      if (this.requests.length > 200) this.requests.splice(0, this.requests.length - 200);
    }
  }

  async #token(url: URL, response: http.ServerResponse): Promise<number> {
    const frontEnd = url.searchParams.get('frontEnd') ?? '';
    const token = await this.#props.issuer.tokenFor(frontEnd);
    if (token === undefined) {
      this.#sendGatewayError(response, new GatewayError(400, 'DEFAULT_4XX', `frontEnd must be one of ${this.#props.issuer.frontEnds.join(', ')}; got '${frontEnd}'`));
      return 400;
    }
    sendJson(response, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
    return 200;
  }

  #match(method: string, path: string): { compiled: CompiledRoute; parameters: Record<string, string> } | undefined {
    for (const compiled of this.#routes) {
      if (compiled.route.method !== method) continue;
      const match = compiled.pattern.exec(path);
      if (match === null) continue;
      try {
        const parameters = Object.fromEntries(compiled.parameterNames.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
        return { compiled, parameters };
      } catch {
        throw new GatewayError(400, 'DEFAULT_4XX', `the path ${path} is not valid percent-encoding`);
      }
    }
    return undefined;
  }

  async #authorize(request: http.IncomingMessage, route: LocalRoute): Promise<AccessClaims | undefined> {
    if (route.scopes.length === 0) return undefined;
    const header = headerOf(request, 'authorization') ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1] ?? '';
    if (token === '') throw new GatewayError(401, 'DEFAULT_4XX', 'Unauthorized');
    let claims: AccessClaims;
    try {
      claims = await this.#props.issuer.verify(token);
    } catch {
      throw new GatewayError(401, 'DEFAULT_4XX', 'Unauthorized');
    }
    const held = new Set(claims.scope.split(' '));
    if (!route.scopes.some((scope) => held.has(scope))) {
      throw new GatewayError(403, 'DEFAULT_4XX', `the token of app client ${claims.client_id} does not hold the scope ${route.scopes.join(' or ')} of ${route.method} ${route.path}`);
    }
    return claims;
  }

  #checkBody(compiled: CompiledRoute, body: string): void {
    let parsed: unknown;
    try {
      parsed = body === '' ? undefined : JSON.parse(body);
    } catch {
      throw new GatewayError(400, 'BAD_REQUEST_BODY', 'Invalid request body: the body is not JSON');
    }
    if (!compiled.validate!(parsed)) {
      const problems = (compiled.validate!.errors ?? []).map((problem) => `${problem.instancePath || '(body)'} ${problem.message ?? 'is invalid'}`);
      throw new GatewayError(400, 'BAD_REQUEST_BODY', `[${problems.join(', ')}]`);
    }
  }

  async #invokeFunction(route: LocalRoute, functionName: string, request: http.IncomingMessage, url: URL, parameters: Record<string, string>, body: string, claims: AccessClaims | undefined): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
    const event = proxyEventOf(route, request, url, parameters, body, claims, this.#props.stage ?? 'dev');
    const outcome = await Promise.race([
      this.#props.invoke(functionName, event),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), INTEGRATION_TIMEOUT_MS).unref()),
    ]);
    if (outcome === undefined) throw new GatewayError(504, 'DEFAULT_5XX', 'Endpoint request timed out');
    if ('error' in outcome) throw new GatewayError(502, 'DEFAULT_5XX', 'Internal server error');
    const result = outcome.result as APIGatewayProxyResult | null;
    if (result === null || typeof result !== 'object' || typeof result.statusCode !== 'number') throw new GatewayError(502, 'DEFAULT_5XX', 'Internal server error');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String).join(', ');
    return { statusCode: result.statusCode, headers, body: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : (result.body ?? '') };
  }

  async #callContainer(route: LocalRoute, request: http.IncomingMessage, url: URL, body: string): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
    const base = this.#props.containerUrl(route.service);
    if (base === undefined) throw new GatewayError(503, 'DEFAULT_5XX', 'Service Unavailable');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !['host', 'connection', 'content-length', 'authorization'].includes(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    let answer: Response;
    try {
      answer = await fetch(`${base}${url.pathname}${url.search}`, {
        method: route.method,
        headers,
        body: body === '' || route.method === 'GET' ? undefined : body,
        signal: AbortSignal.timeout(INTEGRATION_TIMEOUT_MS),
      });
    } catch (error) {
      throw new GatewayError((error as Error).name === 'TimeoutError' ? 504 : 502, 'DEFAULT_5XX', 'Internal server error');
    }
    const answered: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) answered[name] = value;
    });
    return { statusCode: answer.status, headers: answered, body: await answer.text() };
  }

  #sendGatewayError(response: http.ServerResponse, error: GatewayError): void {
    const template = this.#props.gatewayResponses[error.responseType] ?? this.#props.gatewayResponses[error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
    const text = template === undefined
      ? JSON.stringify({ message: error.message })
      : template
          .replace('$context.error.messageString', JSON.stringify(error.message))
          .replace('$context.error.validationErrorString', JSON.stringify(error.message).slice(1, -1));
    if (response.headersSent) return void response.end();
    response.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.responseType });
    response.end(text);
  }
}

function compile(route: LocalRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}+]+)(\+)?\}$/.exec(segment);
      if (parameter === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1]);
      return parameter[2] === '+' ? '(.+)' : '([^/]+)';
    })
    .join('/');
  let validate: CompiledRoute['validate'];
  if (route.requestBodySchema !== undefined) {
    validate = new Ajv04({ strict: false, allErrors: true, validateFormats: false }).compile(route.requestBodySchema);
  }
  // The stage's throttling: `rateLimit` requests a second on average, `burstLimit` at once; a bucket starts full, as API Gateway's does.
  const bucket = new TokenBucket({ bucketSize: route.throttle.burstLimit, tokensPerInterval: route.throttle.rateLimit, interval: 'second' });
  bucket.content = route.throttle.burstLimit;
  return { route, pattern: new RegExp(`^${source}/?$`), parameterNames, bucket, ...(validate === undefined ? {} : { validate }) };
}

function proxyEventOf(route: LocalRoute, request: http.IncomingMessage, url: URL, parameters: Record<string, string>, body: string, claims: AccessClaims | undefined, stage: string): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  url.searchParams.forEach((value, name) => {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  });
  const hasQuery = Object.keys(query).length > 0;
  const requestId = randomUUID();
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(parameters).length > 0 ? parameters : null,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: claims === undefined ? null : { claims: Object.fromEntries(Object.entries(claims).map(([name, value]) => [name, String(value)])) },
      domainName: request.headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      extendedRequestId: requestId,
      httpMethod: route.method,
      identity: callerIdentity(request.socket.remoteAddress ?? '127.0.0.1', headerOf(request, 'user-agent') ?? null),
      path: `/${stage}${url.pathname}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: route.path,
      stage,
    },
    body: body === '' ? null : body,
    isBase64Encoded: false,
  };
}

/** The `requestContext.identity` of a caller authorized by a token (not IAM, not an API key): only its address and agent are known. */
export function callerIdentity(sourceIp: string, userAgent: string | null): APIGatewayProxyEvent['requestContext']['identity'] {
  const unknown = null;
  return {
    ...Object.fromEntries(['accessKey', 'accountId', 'apiKey', 'apiKeyId', 'caller', 'clientCert', 'cognitoAuthenticationProvider', 'cognitoAuthenticationType', 'cognitoIdentityId', 'cognitoIdentityPoolId', 'principalOrgId', 'user', 'userArn'].map((name) => [name, unknown])),
    sourceIp,
    userAgent,
  } as APIGatewayProxyEvent['requestContext']['identity'];
}

function headerOf(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
