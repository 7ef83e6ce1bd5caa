/**
 * Reading an API Gateway (REST API, Lambda proxy integration) request: headers, the correlation id,
 * and the one rule every route of every service checks its input by (`requestParser`): path
 * parameters, query parameters and JSON body each against a schema, where anything the route does
 * not declare (an unknown field or query parameter, a repeated parameter, a body on a route that
 * takes none) is refused with a 400 that names it.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import type * as zod from 'zod/v4/core';
import { badRequest, payloadTooLarge } from './http-response';
import { Checked, FieldProblem, validate } from './validation';

/** The header that carries a correlation id across services, both ways. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** A correlation id we accept from a caller: short, and only characters that are safe in logs and headers. */
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The value of a request header, whatever the case of its name; `undefined` when absent. */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The request's correlation id: the caller's `x-correlation-id` when it sent a well-formed one,
 * otherwise the id API Gateway gave the request.
 */
export function correlationIdOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'requestContext'>): string {
  const given = headerValue(event, CORRELATION_ID_HEADER)?.trim();
  return given !== undefined && SAFE_CORRELATION_ID.test(given) ? given : event.requestContext.requestId;
}

/** The body parsed as JSON; a missing or malformed body is a problem at `body`. */
export function jsonBodyOf(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Checked<unknown> {
  if (event.body === null || event.body === undefined || event.body === '') {
    return { ok: false, problems: [{ path: 'body', message: 'is required: send a JSON object' }] };
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problems: [{ path: 'body', message: 'is not valid JSON' }] };
  }
}

/** Largest JSON body a route takes unless it says otherwise: far above any body the services define. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Deepest nesting of arrays and objects in a JSON body; none of the services' bodies nests half as deep. */
export const MAX_BODY_DEPTH = 32;

/** Schemas of path or query parameters by name; each gets the parameter's text. */
export type ParameterShape = Readonly<Record<string, zod.$ZodType<unknown, string | undefined>>>;

/** What a route takes: its path parameters, its query parameters and its JSON body. Anything left out is refused. */
export interface RequestSchema<Path extends ParameterShape, Query extends ParameterShape, Body extends zod.$ZodType | undefined> {
  /** @default - none */
  readonly path?: Path;
  /** @default - no query parameter is accepted */
  readonly query?: Query;
  /** Every object in it must be strict (`z.strictObject`). @default - no body is accepted */
  readonly body?: Body;
  /** The message of the 400, e.g. 'the order is malformed'. */
  readonly message: string;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
}

/** A request that passed its route's checks. */
export interface ParsedRequest<Path extends ParameterShape, Query extends ParameterShape, Body extends zod.$ZodType | undefined> {
  readonly path: z.output<z.ZodMiniObject<Path, zod.$strict>>;
  readonly query: z.output<z.ZodMiniObject<Query, zod.$strict>>;
  readonly body: Body extends zod.$ZodType ? zod.output<Body> : undefined;
}

/** The outcome of a route's checks: the parsed request, or the response refusing it (400, or 413 for a body over the limit). */
export type RequestCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: APIGatewayProxyResult };

/**
 * The checks of one route, built once (at module load, so a body schema that would let unknown
 * fields through fails at start, not in production). Every problem found is named in one 400:
 * a path or query parameter by its name, a body field by its path (`items[0].quantity`).
 *
 * @throws Error when `body` has an object that is not strict
 */
export function requestParser<Path extends ParameterShape = {}, Query extends ParameterShape = {}, Body extends zod.$ZodType | undefined = undefined>(
  schema: RequestSchema<Path, Query, Body>,
): (event: Pick<APIGatewayProxyEvent, 'pathParameters' | 'queryStringParameters' | 'multiValueQueryStringParameters' | 'body' | 'isBase64Encoded'>) => RequestCheck<ParsedRequest<Path, Query, Body>> {
  const loose = schema.body === undefined ? [] : looseObjectsIn(schema.body, 'body');
  if (loose.length > 0) {
    throw new Error(`the body schema lets unknown fields through at ${loose.join(', ')}: make each object a z.strictObject`);
  }
  const pathSchema = z.strictObject((schema.path ?? {}) as Path);
  const querySchema = z.strictObject((schema.query ?? {}) as Query);
  const maxBodyBytes = schema.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return (event) => {
    const problems: FieldProblem[] = [];
    const path = validate(pathSchema, event.pathParameters ?? {});
    if (!path.ok) problems.push(...path.problems);

    const queryValues = event.queryStringParameters ?? {};
    problems.push(...malformedText(queryValues));
    for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
      if ((values?.length ?? 0) > 1) problems.push({ path: name, message: 'must be given once' });
    }
    const query = validate(querySchema, queryValues);
    if (!query.ok) problems.push(...query.problems);

    let body: unknown;
    const text = bodyText(event);
    if (schema.body === undefined) {
      if (text !== undefined) problems.push({ path: 'body', message: 'must be empty: this route takes no body' });
    } else if (text !== undefined && Buffer.byteLength(text, 'utf8') > maxBodyBytes) {
      return { ok: false, response: payloadTooLarge(maxBodyBytes) };
    } else {
      const checked = checkJsonBody(text, schema.body);
      if (checked.ok) body = checked.value;
      else problems.push(...checked.problems);
    }

    if (problems.length > 0 || !path.ok || !query.ok) return { ok: false, response: badRequest(schema.message, problems) };
    return { ok: true, value: { path: path.value, query: query.value, body } as ParsedRequest<Path, Query, Body> };
  };
}

/** The body as text, or `undefined` when there is none. */
function bodyText(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function checkJsonBody(text: string | undefined, schema: zod.$ZodType): Checked<unknown> {
  const parsed = jsonBodyOf({ body: text ?? null, isBase64Encoded: false });
  if (!parsed.ok) return parsed;
  const shape = bodyShapeProblems(parsed.value);
  if (shape.length > 0) return { ok: false, problems: shape };
  const checked = validate(schema, parsed.value);
  return checked.ok
    ? checked
    : { ok: false, problems: checked.problems.map((problem) => (problem.path === '' ? { ...problem, path: 'body' } : problem)) };
}

/** A lone UTF-16 surrogate: text no store or other service can keep as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function malformedText(values: Readonly<Record<string, string | undefined>>): FieldProblem[] {
  return Object.entries(values)
    .filter(([name, value]) => LONE_SURROGATE.test(name) || (value !== undefined && LONE_SURROGATE.test(value)))
    .map(([name]) => ({ path: name, message: 'must be well-formed Unicode text' }));
}

/**
 * What no schema should have to meet: nesting deeper than {@link MAX_BODY_DEPTH}, or text (a value
 * or a key) that is not well-formed Unicode. Walked without recursion, so no body can exhaust the stack.
 */
function bodyShapeProblems(value: unknown): FieldProblem[] {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return [{ path: 'body', message: 'must be well-formed Unicode text' }];
    } else if (typeof current === 'object' && current !== null) {
      if (depth >= MAX_BODY_DEPTH) return [{ path: 'body', message: `must not nest arrays and objects more than ${MAX_BODY_DEPTH} deep` }];
      for (const [key, inner] of Object.entries(current)) {
        if (LONE_SURROGATE.test(key)) return [{ path: 'body', message: 'must be well-formed Unicode text' }];
        pending.push({ value: inner, depth: depth + 1 });
      }
    }
  }
  return [];
}

/** The paths in `schema` where an object lets unknown keys through. */
function looseObjectsIn(schema: zod.$ZodType, path: string): string[] {
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const inner = (key: string, at = path) => looseObjectsIn(def[key] as zod.$ZodType, at);
  switch (def.type) {
    case 'object': {
      const catchall = def.catchall as zod.$ZodType | undefined;
      const own = catchall?._zod.def.type === 'never' ? [] : [path];
      const shape = def.shape as Record<string, zod.$ZodType>;
      return [...own, ...Object.entries(shape).flatMap(([key, field]) => looseObjectsIn(field, `${path}.${key}`))];
    }
    case 'array':
      return inner('element', `${path}[]`);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return inner('innerType');
    case 'pipe':
      return inner('in');
    case 'union':
      return (def.options as zod.$ZodType[]).flatMap((option) => looseObjectsIn(option, path));
    case 'intersection':
      return [...inner('left'), ...inner('right')];
    case 'record':
      return inner('valueType', `${path}[*]`);
    default:
      return [];
  }
}
