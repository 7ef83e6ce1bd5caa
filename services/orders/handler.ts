/**
 * Lambda entry of the orders service: builds the API once per container from the environment the
 * infrastructure sets, and hands every invocation to it.
 *
 * Environment: `TABLE_NAME` (the service's table), `CONFIG_PATH` (its Parameter Store path),
 * `CONFIG_MAX_AGE_SECONDS` (optional, default 60), and the Powertools variables
 * `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { numberFromEnv, requiredEnv } from '../shared/environment';
import { ServiceConfig } from '../shared/service-config';
import { OrderSettings } from './order';
import { OrderStore, PARTITION_KEY } from './order-store';
import { createOrdersApi } from './orders-api';

const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});

export const handler = createOrdersApi({
  store: new OrderStore({ tableName, client: DynamoDBDocumentClient.from(dynamodb) }),
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
  logger: new Logger(),
  metrics: new Metrics(),
});
