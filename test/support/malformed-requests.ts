/**
 * Generated malformed requests (fast-check), for fuzz tests of the services' HTTP entry points.
 *
 * Each request starts from a valid one of a service's routes (its fixture: path parameters, body,
 * the headers a write needs) and gets one to three defects: an unknown or repeated query
 * parameter, a malformed path parameter, a method the route lacks, an unknown path, a body that is
 * not JSON, too large, too deep, not well-formed Unicode, not an object, with an unknown field, a
 * body on a route that takes none, a missing or malformed required header. So every request is one
 * the service must refuse with a 4xx before it writes anything, whatever the random noise (extra
 * headers) around it. The same requests are rendered as API Gateway proxy events for the Lambda
 * handlers (with event-level defects beside them) and as raw HTTP/1.1 bytes for the container
 * servers (with transport-level defects beside them: broken request lines, headers or chunked
 * bodies, oversized headers, conflicting lengths).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as fc from 'fast-check';
import { apiGatewayEvent } from './api-gateway-events';

/** A valid request to one route, which the generators break. */
export interface RouteFixture {
  /** As in the spec, e.g. `POST /orders`. */
  readonly route: string;
  /** Valid values of the route's path parameters. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** A valid body, when the route takes one. */
  readonly body?: Readonly<Record<string, unknown>>;
  /** Headers a valid request must carry (an idempotency key, a precondition). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request before it is rendered for a runtime. */
export interface RequestSketch {
  readonly method: string;
  /** The resource template, e.g. `/orders/{id}`. */
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | null;
  readonly query: readonly (readonly [string, string])[];
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
  /** The defects applied, for the report of a failing case. */
  readonly defects: readonly string[];
}

type Defect = (sketch: RequestSketch) => RequestSketch;

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
/** A name no route declares: every service's names are camelCase words without this prefix. */
const unknownName = fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,12}$/).map((name) => `zz${name}`);
/** Text of any kind: ASCII, any Unicode, or raw UTF-16 units (lone surrogates included). */
const anyText = (maxLength: number) => fc.oneof(fc.string({ maxLength }), fc.string({ maxLength, unit: 'grapheme' }), fc.string({ maxLength, unit: 'binary' }));
/** Header names of noise: never one a server gives meaning to. */
const noiseHeader = fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), fc.stringMatching(/^[ -~]{0,40}$/).map((value) => value.trim()));

const routeParts = (route: string) => {
  const [method, resource] = route.split(' ');
  return { method, resource };
};

function baseSketch(fixture: RouteFixture): RequestSketch {
  const { method, resource } = routeParts(fixture.route);
  return {
    method,
    resource,
    pathParameters: fixture.pathParameters === undefined ? null : { ...fixture.pathParameters },
    query: [],
    headers: Object.entries(fixture.headers ?? {}),
    ...(fixture.body === undefined ? {} : { body: JSON.stringify(fixture.body) }),
    defects: [],
  };
}

const defect = (name: string, change: (sketch: RequestSketch) => Omit<RequestSketch, 'defects'>): Defect => (sketch) => ({ ...change(sketch), defects: [...sketch.defects, name] });

/** The defects that fit a route. */
function defectsFor(fixture: RouteFixture, fixtures: readonly RouteFixture[]): fc.Arbitrary<Defect> {
  const { resource } = routeParts(fixture.route);
  const methodsOfResource = fixtures.map((f) => routeParts(f.route)).filter((r) => r.resource === resource).map((r) => r.method);
  const otherMethods = METHODS.filter((method) => !methodsOfResource.includes(method));
  const options: fc.Arbitrary<Defect>[] = [
    fc.tuple(unknownName, anyText(30)).map(([name, value]) => defect(`unknown query parameter ${name}`, (s) => ({ ...s, query: [...s.query, [name, value]] }))),
    fc.tuple(fc.oneof(unknownName, fc.constantFrom('limit', 'after', 'cursor')), anyText(10), anyText(10)).map(([name, first, second]) =>
      defect(`repeated query parameter ${name}`, (s) => ({ ...s, query: [...s.query, [name, first], [name, second]] })),
    ),
    fc.stringMatching(/^\/zz[a-z0-9/-]{0,30}$/).map((path) => defect(`unknown path ${path}`, (s) => ({ ...s, resource: path, pathParameters: null }))),
  ];
  if (otherMethods.length > 0) {
    options.push(fc.constantFrom(...otherMethods).map((method) => defect(`method ${method}`, (s) => ({ ...s, method }))));
  }
  const parameterNames = Object.keys(fixture.pathParameters ?? {});
  if (parameterNames.length > 0) {
    // Longer than any id a service takes (64 characters at most).
    options.push(
      fc.tuple(fc.constantFrom(...parameterNames), fc.stringMatching(/^[a-z0-9]{65,120}$/)).map(([name, value]) =>
        defect(`path parameter ${name} too long`, (s) => ({ ...s, pathParameters: { ...s.pathParameters, [name]: value } })),
      ),
    );
  }
  if (fixture.body === undefined) {
    options.push(fc.json({ maxDepth: 2 }).map((body) => defect('a body on a route that takes none', (s) => ({ ...s, body }))));
  } else {
    const valid = fixture.body;
    options.push(
      fc.oneof(
        anyText(200).map((text) => defect('a body that is not JSON', (s) => ({ ...s, body: `{${text}` }))),
        fc.tuple(unknownName, fc.jsonValue({ maxDepth: 2 })).map(([name, value]) => defect(`unknown body field ${name}`, (s) => ({ ...s, body: JSON.stringify({ ...valid, [name]: value }) }))),
        fc.integer({ min: 33, max: 5000 }).map((depth) => defect(`a body ${depth} levels deep`, (s) => ({ ...s, body: `${'['.repeat(depth)}${']'.repeat(depth)}` }))),
        fc.integer({ min: 70_000, max: 200_000 }).map((size) => defect(`a body of ${size} bytes`, (s) => ({ ...s, body: JSON.stringify({ ...valid, pad: 'x'.repeat(size) }) }))),
        fc.constantFrom('\ud800', '\udfff', 'a\ud83d').map((surrogate) => defect('a lone surrogate in the body', (s) => ({ ...s, body: JSON.stringify({ ...valid, note: surrogate }) }))),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)), fc.constant('')).map((value) =>
          defect('a body that is not an object', (s) => ({ ...s, body: value === '' ? undefined : JSON.stringify(value) })),
        ),
      ),
    );
  }
  const required = Object.keys(fixture.headers ?? {});
  if (required.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...required), fc.option(fc.constantFrom('', '!!', 'W/"1"', '*,*', '"x"'), { nil: undefined })).map(([name, value]) =>
        defect(value === undefined ? `no ${name} header` : `${name}: ${value}`, (s) => ({
          ...s,
          headers: [...s.headers.filter(([header]) => header !== name), ...(value === undefined ? [] : [[name, value] as const])],
        })),
      ),
    );
  }
  return fc.oneof(...options);
}

/** Requests to the service's routes, each with one to three defects and some noise headers. */
export function malformedRequests(fixtures: readonly RouteFixture[]): fc.Arbitrary<RequestSketch> {
  // One arbitrary per route, built once: building them per sample (in a chain) costs more than the requests.
  const perRoute = fixtures.map((fixture) =>
    fc.tuple(fc.array(defectsFor(fixture, fixtures), { minLength: 1, maxLength: 3 }), fc.array(noiseHeader, { maxLength: 4 })).map(([defects, noise]) => {
      const broken = defects.reduce((sketch, apply) => apply(sketch), baseSketch(fixture));
      return { ...broken, headers: [...broken.headers, ...noise] };
    }),
  );
  return fc.oneof(...perRoute);
}

/** The path of a sketch, its parameters percent-encoded as UTF-8. */
export function pathOf(sketch: RequestSketch): string {
  return sketch.resource.replace(/\{([A-Za-z0-9]+)\}/g, (_, name: string) => percentEncode(sketch.pathParameters?.[name] ?? ''));
}

function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

// ---- API Gateway proxy events, for the Lambda handlers ----

/** What an event-level defect does to an otherwise rendered event. */
const eventDefects: fc.Arbitrary<[string, (event: Record<string, unknown>) => Record<string, unknown>]> = fc.constantFrom<[string, (event: Record<string, unknown>) => Record<string, unknown>]>(
  ['no requestContext', ({ requestContext: _, ...event }) => event],
  ['a requestContext without requestId', (event) => ({ ...event, requestContext: {} })],
  ['headers that are not text', (event) => ({ ...event, headers: { accept: 42 } })],
  ['a body that is not text', (event) => ({ ...event, body: { items: [] } })],
  ['query parameters as a list', (event) => ({ ...event, queryStringParameters: ['limit'] })],
  ['path parameters as text', (event) => ({ ...event, pathParameters: 'id=1' })],
  ['no path', ({ path: _, ...event }) => event],
);

/** The sketch as the event API Gateway would invoke the function with (repeated query parameters in the multi-value map). */
export function proxyEventOf(sketch: RequestSketch): APIGatewayProxyEvent {
  const event = apiGatewayEvent({
    method: sketch.method,
    resource: sketch.resource,
    path: pathOf(sketch),
    ...(sketch.pathParameters === null ? {} : { pathParameters: { ...sketch.pathParameters } }),
    headers: Object.fromEntries(sketch.headers),
    ...(sketch.body === undefined ? {} : { body: sketch.body }),
  });
  if (sketch.query.length > 0) {
    const multi: Record<string, string[]> = {};
    for (const [name, value] of sketch.query) (multi[name] ??= []).push(value);
    event.queryStringParameters = Object.fromEntries(Object.entries(multi).map(([name, values]) => [name, values[values.length - 1]]));
    event.multiValueQueryStringParameters = multi;
  }
  return event;
}

/** Malformed events for a Lambda service's HTTP handler: most are malformed requests, some also break the event's shape. */
export function malformedProxyEvents(fixtures: readonly RouteFixture[]): fc.Arbitrary<{ readonly event: APIGatewayProxyEvent; readonly defects: readonly string[] }> {
  return fc.tuple(malformedRequests(fixtures), fc.option(eventDefects, { freq: 4 })).map(([sketch, eventDefect]) => {
    const event = proxyEventOf(sketch);
    return eventDefect === null
      ? { event, defects: sketch.defects }
      : { event: eventDefect[1](event as unknown as Record<string, unknown>) as unknown as APIGatewayProxyEvent, defects: [...sketch.defects, eventDefect[0]] };
  });
}

// ---- Raw HTTP/1.1, for the container servers ----

/** A raw request and what it is, for the report. */
export interface RawRequest {
  readonly method: string;
  readonly bytes: Buffer;
  readonly defects: readonly string[];
}

function renderRaw(sketch: RequestSketch, chunked: boolean): RawRequest {
  const query = sketch.query.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
  const body = sketch.body === undefined ? undefined : Buffer.from(sketch.body, 'utf8');
  const headers = [['Host', '127.0.0.1'], ['Connection', 'close'], ...sketch.headers];
  if (body !== undefined) headers.push(chunked ? ['Transfer-Encoding', 'chunked'] : ['Content-Length', String(body.length)]);
  const head = `${sketch.method} ${pathOf(sketch)}${query === '' ? '' : `?${query}`} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`;
  const payload = body === undefined ? Buffer.alloc(0) : chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
  return { method: sketch.method, bytes: Buffer.concat([Buffer.from(head, 'latin1'), payload]), defects: sketch.defects };
}

const raw = (name: string, text: string, method = 'GET'): RawRequest => ({ method, bytes: Buffer.from(text, 'latin1'), defects: [name] });

/** Requests Node's HTTP parser (or the server's first checks) must refuse, whatever the routes. */
const transportDefects: fc.Arbitrary<RawRequest> = fc.oneof(
  // Not only line breaks: empty lines before a request line are skipped, and the parser would wait for one.
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 60 }).filter((line) => /[^\r\n]/.test(line)).map((line) => raw('a request line of random bytes', `${line}\r\n\r\n`)),
  fc.stringMatching(/^[A-Z]{1,3} [A-Z]{1,3}$/).map((method) => raw(`method ${method}`, `${method} /health HTTP/1.1\r\nHost: x\r\n\r\n`)),
  fc.constantFrom('//a:99999/', 'http://[/', '*', 'a/b', 'http://x:99999/', '/%', '/%zz?%', 'ftp://x/').map((target) => raw(`target ${target}`, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)),
  fc.integer({ min: 17_000, max: 40_000 }).map((size) => raw(`a header of ${size} bytes`, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(size)}\r\n\r\n`)),
  fc.constantFrom('X Bad', 'X-Bad\x01', '(x)', '').map((name) => raw(`header name ${JSON.stringify(name)}`, `GET /health HTTP/1.1\r\nHost: x\r\n${name}: v\r\n\r\n`)),
  fc.constantFrom('a\x00b', 'a\x7fb', 'a\x01').map((value) => raw(`header value ${JSON.stringify(value)}`, `GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: ${value}\r\n\r\n`)),
  fc.stringMatching(/^[g-z]{1,4}$/).map((size) => raw(`chunk size ${size}`, `POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nabc\r\n0\r\n\r\n`, 'POST')),
  fc.constantFrom('abc', '-1', '1, 2', '99999999999999999999').map((length) => raw(`content-length ${length}`, `POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`, 'POST')),
  fc.constant(raw('content-length and chunked', 'POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'POST')),
  fc.constant(raw('HTTP/1.1 without host', 'GET /health HTTP/1.1\r\n\r\n')),
  fc.constantFrom('HTTP/1.2', 'HTTP/3.0', 'HTTPS/1.1', 'HTTP/1').map((version) => raw(`version ${version}`, `GET /health ${version}\r\nHost: x\r\n\r\n`)),
  fc.constant(raw('CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', 'CONNECT')),
  fc.stringMatching(/^[a-z]{1,10}$/).map((expectation) => raw(`expect ${expectation}`, `POST /health HTTP/1.1\r\nHost: x\r\nExpect: ${expectation}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 'POST')),
);

/** Raw malformed requests for a container server: its routes' requests broken, on the wire plainly or chunked, and broken HTTP. */
export function malformedRawRequests(fixtures: readonly RouteFixture[]): fc.Arbitrary<RawRequest> {
  return fc.oneof(
    { arbitrary: fc.tuple(malformedRequests(fixtures), fc.boolean()).map(([sketch, chunked]) => renderRaw(sketch, chunked)), weight: 3 },
    { arbitrary: transportDefects, weight: 2 },
  );
}
