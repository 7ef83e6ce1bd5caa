/**
 * Lambda entry of the payments service: its saga actions (Step Functions: `chargePayment`,
 * `refundPayment`).
 *
 * Environment: `TABLE_NAME` (charges and idempotency records), `CONFIG_PATH` (its Parameter Store
 * path), `CONFIG_MAX_AGE_SECONDS` (optional, default 60), and the Powertools variables.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { numberFromEnv, requiredEnv, lambdaEventKind, ServiceConfig } from 'msa-platform-blueprint/runtime';
import { ChargeStore, PARTITION_KEY } from './charge-store';
import { createPaymentActions } from './payment-actions';
import { PaymentSettings } from './payments';

const tableName = requiredEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});
const logger = new Logger();
const actions = createPaymentActions({
  store: new ChargeStore({ tableName, client: DynamoDBDocumentClient.from(dynamodb) }),
  settings: new ServiceConfig({ path: requiredEnv('CONFIG_PATH'), schema: PaymentSettings, maxAgeSeconds: numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60) }),
  idempotencyStore: new DynamoDBPersistenceLayer({ tableName, keyAttr: PARTITION_KEY, expiryAttr: 'expiration', awsSdkV3Client: dynamodb }),
  logger,
});

export async function handler(event: unknown, context: Context): Promise<unknown> {
  if (lambdaEventKind(event) !== 'saga') {
    throw new Error('the payments function was invoked with an event it does not serve (expected a saga command)');
  }
  logger.resetKeys();
  logger.addContext(context);
  return actions(event, context);
}
