/**
 * Lambda entry of the inventory service: its routes (API Gateway), its queue (SQS: `OrderConfirmed`)
 * and its saga actions (Step Functions: `reserveStock`, `releaseStock`), dispatched on the event's shape.
 *
 * Environment: `TABLE_NAME` (the service's table: products, holds, idempotency records) and the
 * Powertools variables.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';
import { requiredEnv, createEventConsumer, lambdaEventKind } from 'msa-platform-blueprint/runtime';
import { DOMAIN_EVENTS } from '../shared/domain-events';
import { createInventoryActions } from './inventory-actions';
import { createInventoryApi } from './inventory-api';
import { PARTITION_KEY, StockStore } from './stock-store';

const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const logger = new Logger();
const store = new StockStore({ tableName, client: DynamoDBDocumentClient.from(dynamodb) });
const actions = createInventoryActions({
  store,
  idempotencyStore: new DynamoDBPersistenceLayer({ tableName, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb }),
  logger,
});
const api = createInventoryApi({ store, logger });
const consumer = createEventConsumer({ events: DOMAIN_EVENTS, handlers: { OrderConfirmed: actions.orderConfirmed }, logger });

export async function handler(event: unknown, context: Context): Promise<unknown> {
  switch (lambdaEventKind(event)) {
    case 'http':
      return api(event as APIGatewayProxyEvent, context);
    case 'queue':
      return consumer(event as SQSEvent, context);
    case 'saga':
      logger.resetKeys();
      logger.addContext(context);
      return actions.sagaAction(event, context);
    default:
      throw new Error('the inventory function was invoked with an event it does not serve (expected an API Gateway request, an SQS batch or a saga command)');
  }
}
