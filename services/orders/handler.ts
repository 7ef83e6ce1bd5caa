/**
 * Lambda entry of the orders service: builds its parts once per container from the environment
 * the infrastructure sets, and hands each invocation to the part its shape calls for: API Gateway
 * requests to the API, the event store's stream to the projection, saga commands to the saga actions.
 *
 * Environment: `TABLE_NAME` (the service's table: idempotency records and snapshots),
 * `EVENT_STORE_TABLE_NAME`, `READ_MODEL_TABLE_NAME`, `EVENT_BUS_NAME`, `CONFIG_PATH` (its Parameter
 * Store path), `CONFIG_MAX_AGE_SECONDS` (optional, default 60), and the Powertools variables
 * `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context, DynamoDBStreamEvent } from 'aws-lambda';
import { numberFromEnv, requiredEnv, EventPublisher, lambdaEventKind, ServiceConfig } from 'msa-platform-blueprint/runtime';
import { DOMAIN_EVENTS } from '../shared/domain-events';
import { OrderSettings } from './order';
import { createOrderProjection } from './order-projection';
import { OrderReadModel } from './order-read-model';
import { createOrderSagaActions } from './order-saga-actions';
import { OrderStore, PARTITION_KEY } from './order-store';
import { createOrdersApi } from './orders-api';

const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamodb);
const logger = new Logger();
const store = new OrderStore({ eventStoreTableName: requiredEnv('EVENT_STORE_TABLE_NAME'), snapshotTableName: tableName, client: documents });
const readModel = new OrderReadModel({ tableName: requiredEnv('READ_MODEL_TABLE_NAME'), client: documents });

const api = createOrdersApi({
  store,
  readModel,
  settings: new ServiceConfig({
    path: requiredEnv('CONFIG_PATH'),
    schema: OrderSettings,
    maxAgeSeconds: numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60),
  }),
  idempotencyStore: new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: PARTITION_KEY,
    expiryAttr: 'expiration',
    awsSdkV3Client: dynamodb,
  }),
  logger,
  metrics: new Metrics(),
});
const projection = createOrderProjection({
  store,
  readModel,
  publisher: new EventPublisher({ events: DOMAIN_EVENTS, busName: requiredEnv('EVENT_BUS_NAME'), source: 'orders', client: new EventBridgeClient({}) }),
  logger,
});
const sagaActions = createOrderSagaActions({ store, logger });

export async function handler(event: unknown, context: Context): Promise<unknown> {
  switch (lambdaEventKind(event)) {
    case 'http':
      return api(event as APIGatewayProxyEvent, context);
    case 'stream':
      return projection(event as DynamoDBStreamEvent, context);
    case 'saga':
      logger.resetKeys();
      logger.addContext(context);
      return sagaActions(event);
    default:
      throw new Error('the orders function was invoked with an event it does not serve (expected an API Gateway request, a DynamoDB stream batch or a saga command)');
  }
}
