/**
 * What kind of event a service's one function was invoked with. A service runs as one function
 * that serves its routes (API Gateway), its queue (SQS), its event store's stream (DynamoDB
 * Streams) and its saga actions (Step Functions); the handler dispatches on the event's shape.
 */
import { isSagaCommand } from './saga-command';

/** The kinds of invocation a service function receives. */
export type LambdaEventKind = 'http' | 'queue' | 'stream' | 'saga' | 'unknown';

/** The kind of `event`, from its shape. */
export function lambdaEventKind(event: unknown): LambdaEventKind {
  if (typeof event !== 'object' || event === null) return 'unknown';
  const records = (event as { Records?: Array<{ eventSource?: unknown }> }).Records;
  if (Array.isArray(records) && records.length > 0) {
    const source = records[0]?.eventSource;
    if (source === 'aws:sqs') return 'queue';
    if (source === 'aws:dynamodb') return 'stream';
    return 'unknown';
  }
  if (typeof (event as { httpMethod?: unknown }).httpMethod === 'string' && typeof (event as { resource?: unknown }).resource === 'string') return 'http';
  if (isSagaCommand(event)) return 'saga';
  return 'unknown';
}
