import { Logger } from '@aws-lambda-powertools/logger';
import { downstreamHeaders } from '../../runtime/call-context';
import { handleContainerHttp } from '../../runtime/container/container-http-handler';
import { ok } from '../../runtime/http-response';
import { apiGatewayEvent } from '../support/api-gateway-events';
import { CapturedOutput, captureOutput } from '../support/captured-output';

describe('handleContainerHttp', () => {
  let output: CapturedOutput;
  beforeEach(() => (output = captureOutput()));
  afterEach(() => output.restore());
  const logger = new Logger({ serviceName: 'frame-test', logLevel: 'INFO' });
  const event = (correlationId: string) => apiGatewayEvent({ method: 'GET', resource: '/things/{id}', headers: { 'x-correlation-id': correlationId }, pathParameters: { id: 'a' } });

  test('concurrent requests log and call on under their own correlation ids, which their answers return', async () => {
    const handler = handleContainerHttp(async (_event, { log }) => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      log.info('working');
      return ok(downstreamHeaders());
    }, { logger });
    const [first, second] = await Promise.all([handler(event('frame-1')), handler(event('frame-2'))]);
    expect(JSON.parse(first.body)).toMatchObject({ 'x-correlation-id': 'frame-1' });
    expect(second.headers).toMatchObject({ 'x-correlation-id': 'frame-2' });
    const working = output.records().filter((r) => r.message === 'working');
    expect(working.map((r) => r.correlation_id).sort()).toEqual(['frame-1', 'frame-2']);
    // The process logger itself is left without a request's keys.
    expect(logger.getPersistentLogAttributes()).toEqual({});
  });

  test('an unexpected error is logged with the correlation id and answered with a 500 that tells nothing of it', async () => {
    const handler = handleContainerHttp(async () => {
      throw new Error('table gone');
    }, { logger });
    const response = await handler(event('frame-3'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('table gone');
    expect(response.headers).toMatchObject({ 'x-correlation-id': 'frame-3' });
    expect(output.records()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'request failed', correlation_id: 'frame-3' }));
    expect(output.records()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'request answered', statusCode: 500, correlation_id: 'frame-3' }));
  });
});
