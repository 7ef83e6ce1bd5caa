/**
 * What kind of event a service's one function was invoked with. A service runs as one function
 * that serves its routes (API Gateway), its queue (SQS), its event store's stream (DynamoDB
 * Streams) and its saga actions (Step Functions); the handler dispatches on the event's shape.
 */
import * as z from 'zod/mini';
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

const TextMap = z.nullable(z.optional(z.record(z.string(), z.optional(z.string()))));

/**
 * What an API Gateway proxy event (REST API, payload v1) must hold for a service to read it safely:
 * checked at the door of every HTTP handler, so an event of another shape is refused with a 400
 * naming the field instead of failing deep inside with a 500.
 */
export const ProxyEventShape = z.object({
  httpMethod: z.string(),
  resource: z.string(),
  path: z.string(),
  headers: TextMap,
  queryStringParameters: TextMap,
  multiValueQueryStringParameters: z.nullable(z.optional(z.record(z.string(), z.array(z.string())))),
  pathParameters: TextMap,
  body: z.nullable(z.optional(z.string())),
  isBase64Encoded: z.optional(z.boolean()),
  requestContext: z.object({ requestId: z.string() }),
});
