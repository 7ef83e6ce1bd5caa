import { badRequest, conflict, created, methodNotAllowed, notFound, ok, serverError, unprocessable, withHeaders } from '../../runtime/http-response';

describe('JSON responses', () => {
  test('are JSON with a JSON content type, whatever the status', () => {
    const responses = [ok({ a: 1 }), created({ id: 'x' }, '/things/x'), badRequest('bad', []), notFound('none'), methodNotAllowed(['GET']), conflict('busy'), unprocessable('no'), serverError()];
    for (const response of responses) {
      expect(response.headers?.['content-type']).toBe('application/json');
      expect(() => JSON.parse(response.body)).not.toThrow();
    }
    expect(responses.map((response) => response.statusCode)).toEqual([200, 201, 400, 404, 405, 409, 422, 500]);
  });

  test('created points at the new resource', () => {
    expect(created({ id: 'x' }, '/things/x').headers).toMatchObject({ location: '/things/x' });
  });

  test('errors share one shape, and a bad request lists the fields at fault', () => {
    const fields = [{ path: 'items[0].quantity', message: 'must be greater than 0' }];
    expect(JSON.parse(badRequest('the body is not a valid order', fields).body)).toEqual({
      error: { code: 'bad_request', message: 'the body is not a valid order', fields },
    });
    expect(JSON.parse(notFound('there is no order 1').body)).toEqual({ error: { code: 'not_found', message: 'there is no order 1' } });
  });

  test('405 says which methods the resource allows', () => {
    expect(methodNotAllowed(['GET', 'DELETE']).headers).toMatchObject({ allow: 'GET, DELETE' });
  });

  test('withHeaders adds headers and keeps the content type', () => {
    expect(withHeaders(notFound('none'), { 'x-correlation-id': 'c-1' }).headers).toEqual({
      'content-type': 'application/json',
      'x-correlation-id': 'c-1',
    });
  });
});
