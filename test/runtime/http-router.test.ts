import { ok } from '../../runtime/http-response';
import { routeRequests } from '../../runtime/http-router';
import { apiGatewayEvent, lambdaContext } from '../support/api-gateway-events';

describe('routeRequests', () => {
  const route = routeRequests({
    'GET /things/{id}': async (event) => ok({ read: event.pathParameters?.id }),
    'DELETE /things/{id}': async (event) => ok({ deleted: event.pathParameters?.id }),
    'POST /things': async () => ok({ created: true }),
  });
  const call = (method: string, resource: string, path = resource) =>
    route(apiGatewayEvent({ method, resource, path, pathParameters: { id: '7' } }), lambdaContext());

  test('sends a request to the handler of its method and resource template', async () => {
    expect(JSON.parse((await call('GET', '/things/{id}', '/things/7')).body)).toEqual({ read: '7' });
    expect(JSON.parse((await call('DELETE', '/things/{id}', '/things/7')).body)).toEqual({ deleted: '7' });
    expect(JSON.parse((await call('POST', '/things')).body)).toEqual({ created: true });
  });

  test('answers 404 for a resource it has no route for', async () => {
    const response = await call('GET', '/widgets');
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error.code).toBe('not_found');
  });

  test('answers 405 listing the allowed methods for a known resource and an unknown method', async () => {
    const response = await call('PUT', '/things/{id}', '/things/7');
    expect(response.statusCode).toBe(405);
    expect(response.headers).toMatchObject({ allow: 'GET, DELETE' });
  });

  test('refuses a route the service spec would refuse', () => {
    expect(() => routeRequests({ '/things': async () => ok({}) })).toThrow("'/things' is not of the form 'METHOD /path'");
    expect(() => routeRequests({ 'FETCH /things': async () => ok({}) })).toThrow("'FETCH /things' uses method FETCH");
  });
});
