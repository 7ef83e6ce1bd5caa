import { IdempotencyAlreadyInProgressError, IdempotencyPersistenceLayerError, IdempotencyValidationError } from '@aws-lambda-powertools/idempotency';
import { idempotencyKeyOf, responseForIdempotencyError } from '../../runtime/http-idempotency';

describe('idempotencyKeyOf', () => {
  test('reads the Idempotency-Key header in any case', () => {
    expect(idempotencyKeyOf({ headers: { 'idempotency-key': '0b7a2c1e-6a8f-4d5e-9c3b-1a2b3c4d5e6f' } })).toEqual({
      ok: true,
      value: '0b7a2c1e-6a8f-4d5e-9c3b-1a2b3c4d5e6f',
    });
  });

  test.each([
    ['missing', {}],
    ['empty', { 'Idempotency-Key': '  ' }],
    ['too short', { 'Idempotency-Key': 'abc' }],
    ['made of unsafe characters', { 'Idempotency-Key': 'key with spaces and "quotes"' }],
  ])('names the header when the key is %s', (_case, headers) => {
    const checked = idempotencyKeyOf({ headers });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problems.map((problem) => problem.path)).toEqual(['Idempotency-Key']);
  });
});

describe('responseForIdempotencyError', () => {
  test('answers 422 when the key was used with another request', () => {
    expect(responseForIdempotencyError(new IdempotencyValidationError('payload does not match'))?.statusCode).toBe(422);
  });

  test('answers 409 while the first request with the key is still running', () => {
    expect(responseForIdempotencyError(new IdempotencyAlreadyInProgressError('in progress'))?.statusCode).toBe(409);
  });

  test('leaves other errors, including persistence failures, to the caller', () => {
    expect(responseForIdempotencyError(new IdempotencyPersistenceLayerError('table unreachable'))).toBeUndefined();
    expect(responseForIdempotencyError(new Error('boom'))).toBeUndefined();
  });
});
