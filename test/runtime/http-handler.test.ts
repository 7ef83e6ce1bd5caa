import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { downstreamHeaders } from '../../runtime/call-context';
import { handleHttp } from '../../runtime/http-handler';
import { jsonResponse, ok } from '../../runtime/http-response';
import { apiGatewayEvent, lambdaContext } from '../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../support/captured-output';

describe('handleHttp', () => {
  let output: CapturedOutput;
  beforeEach(() => (output = captureOutput()));
  afterEach(() => output.restore());
  const logger = () => new Logger({ serviceName: 'frame-test', logLevel: 'INFO' });
  const event = (headers: Record<string, string> = {}) => apiGatewayEvent({ method: 'GET', resource: '/things/{id}', headers, pathParameters: { id: 'a' } });

  test('the routes run in the request\'s call context: calls they make carry its correlation id, which the answer returns', async () => {
    let passedOn: Record<string, string> | undefined;
    const handler = handleHttp(async () => {
      passedOn = downstreamHeaders();
      return ok({ fine: true });
    }, { logger: logger() });
    const response = await handler(event({ 'x-correlation-id': 'frame-42' }), lambdaContext());
    expect(passedOn).toMatchObject({ 'x-correlation-id': 'frame-42' });
    expect(response.headers).toMatchObject({ 'x-correlation-id': 'frame-42' });
  });

  test('an unexpected error is logged with the correlation id and answered with a 500 that tells nothing of it', async () => {
    const handler = handleHttp(async () => {
      throw new Error('table gone');
    }, { logger: logger() });
    const response = await handler(event({ 'x-correlation-id': 'frame-43' }), lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('table gone');
    expect(output.records()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'request failed', correlation_id: 'frame-43' }));
  });

  test('an error the service expects becomes its answer, and is not logged as a failure', async () => {
    const handler = handleHttp(async () => {
      throw new RangeError('busy');
    }, { logger: logger(), answerError: (error) => (error instanceof RangeError ? jsonResponse(409, { error: 'busy' }) : undefined) });
    const response = await handler(event(), lambdaContext());
    expect(response.statusCode).toBe(409);
    expect(output.records().filter((r) => r.level === 'ERROR')).toEqual([]);
  });

  test('runs `before` with the invocation context, shows `after` every answer, and flushes metrics', async () => {
    const seen: number[] = [];
    const contexts: string[] = [];
    const metrics = new Metrics({ serviceName: 'frame-test', namespace: 'shop' });
    const handler = handleHttp(async () => {
      metrics.addMetric('Things', 'Count', 1);
      return ok({});
    }, { logger: logger(), metrics, before: (context) => contexts.push(context.awsRequestId), after: (response) => seen.push(response.statusCode) });
    await handler(event(), lambdaContext());
    expect(seen).toEqual([200]);
    expect(contexts).toHaveLength(1);
    expect(metrics.hasStoredMetrics()).toBe(false);
    expect(output.records()).toContainEqual(expect.objectContaining({ Things: 1 }));
  });

  test.each([
    ['no request context', (e: Record<string, unknown>) => ({ ...e, requestContext: undefined }), 'requestContext'],
    ['headers that are not text', (e: Record<string, unknown>) => ({ ...e, headers: { accept: 5 } }), 'headers.accept'],
    ['a body that is not text', (e: Record<string, unknown>) => ({ ...e, body: { a: 1 } }), 'body'],
    ['query parameters that are a list', (e: Record<string, unknown>) => ({ ...e, queryStringParameters: ['a'] }), 'queryStringParameters'],
  ])('an event with %s is refused with a 400 naming the field, before any route runs', async (_case, mangle, field) => {
    const route = jest.fn();
    const response = await handleHttp(route, { logger: logger() })(mangle(event() as unknown as Record<string, unknown>) as never, lambdaContext());
    expect(route).not.toHaveBeenCalled();
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 'bad_request', fields: [expect.objectContaining({ path: field })] });
  });
});
