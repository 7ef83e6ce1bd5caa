/**
 * Dispatching API Gateway (REST API, Lambda proxy integration) requests to route handlers.
 *
 * Routes are written as in the service spec, `METHOD /resource` with `{param}` segments
 * (`GET /orders/{id}`), and matched against the event's `httpMethod` and `resource`, which
 * API Gateway fills with the matched resource template.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { parseRoute } from '../constructs/model/service-spec';
import { methodNotAllowed, notFound } from './http-response';

/** Answers one route; `C` is what the host passes along (the Lambda context on Lambda). */
export type RouteHandler<C = Context> = (event: APIGatewayProxyEvent, context: C) => Promise<APIGatewayProxyResult>;

/** A route table: `'POST /orders'` to its handler. */
export type Routes<C = Context> = Readonly<Record<string, RouteHandler<C>>>;

/**
 * A handler that sends each request to its route: 404 when no route has the resource,
 * 405 (with `allow`) when the resource has routes but not for this method.
 *
 * @throws Error when a route is not one the service spec would accept (see `parseRoute`)
 */
export function routeRequests<C = Context>(routes: Routes<C>): RouteHandler<C> {
  const byResource = new Map<string, Map<string, RouteHandler<C>>>();
  for (const [route, handle] of Object.entries(routes)) {
    const parsed = parseRoute(route);
    if (typeof parsed === 'string') throw new Error(parsed);
    const methods = byResource.get(parsed.path) ?? new Map<string, RouteHandler<C>>();
    methods.set(parsed.method, handle);
    byResource.set(parsed.path, methods);
  }

  return async (event, context) => {
    const methods = byResource.get(event.resource);
    if (methods === undefined) return notFound(`no route for ${event.httpMethod} ${event.path}`);
    const handle = methods.get(event.httpMethod.toUpperCase());
    if (handle === undefined) return methodNotAllowed([...methods.keys()]);
    return handle(event, context);
  };
}
