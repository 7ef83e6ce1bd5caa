/**
 * Realistic SQS and DynamoDB Streams events, as Lambda's event source mappings deliver them, built
 * from what a test cares about: message bodies, and the items an insert put in a table.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:shop-dev-consumer';
const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev-orders-events/stream/2025-11-24T17:00:00.000';

/** The body EventBridge puts on a queue for an event: the whole event as JSON. */
export function eventBridgeMessage(type: string, detail: unknown, source = 'orders'): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': type,
    source,
    account: '123456789012',
    time: '2025-11-24T17:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  });
}

/** The message EventBridge puts on a consumer's queue for a valid `OrderConfirmed` of `orderId`. */
export function orderConfirmedMessage(orderId: string): string {
  return eventBridgeMessage('OrderConfirmed', { orderId, customerId: 'c-1', items: [{ productId: 'mill', quantity: 1 }], confirmedAt: '2025-11-24T17:00:02.000Z' });
}

/** An SQS batch with one record per body. */
export function sqsEvent(bodies: readonly string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map(
      (body): SQSRecord => ({
        messageId: randomUUID(),
        receiptHandle: `handle-${randomUUID()}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: String(Date.now()),
          SenderId: 'AIDAEVENTBRIDGE',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: 'not-checked',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'eu-west-1',
      }),
    ),
  };
}

let sequence = 1000;

/** A stream record of an INSERT of `item` (NEW_IMAGE view), keyed by the given attributes. */
export function insertRecord(item: Record<string, unknown>, keyAttributes: readonly string[] = ['streamId', 'version']): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  sequence += 1;
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: Object.fromEntries(keyAttributes.map((name) => [name, image[name]])) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
      NewImage: image as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'],
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** A stream batch of these records. */
export function streamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}
