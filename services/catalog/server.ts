/**
 * Process entry of the catalog container: reads its settings (failing fast if it cannot), serves
 * the catalog API on `PORT`, and drains on SIGTERM within `DRAIN_SECONDS`.
 *
 * Environment: `PORT`, `TABLE_NAME`, `CONFIG_PATH`, `CONFIG_MAX_AGE_SECONDS` (default 60),
 * `DRAIN_SECONDS` (default 10), `POWERTOOLS_SERVICE_NAME` / `POWERTOOLS_LOG_LEVEL` for the logs, and
 * `POWERTOOLS_METRICS_NAMESPACE` for the metrics, and the `OTEL_*` settings of the traces and request metrics (see `telemetry.ts`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ContainerHttpServer } from '../shared/container/http-server';
import { RefreshingSettings } from '../shared/container/refreshing-settings';
import { startTelemetry } from '../shared/container/telemetry';
import { numberFromEnv, requiredEnv } from '../shared/environment';
import { ServiceConfig } from '../shared/service-config';
import { CATALOG_ROUTES, createCatalogApi } from './catalog-api';
import { CatalogSettings } from './product';
import { ProductStore } from './product-store';

async function main(logger: Logger): Promise<void> {
  const port = numberFromEnv('PORT', 8080);
  const settings = new RefreshingSettings({
    source: new ServiceConfig({ path: requiredEnv('CONFIG_PATH'), schema: CatalogSettings, maxAgeSeconds: numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60) }),
    log: logger,
  });
  await settings.start();
  const server = new ContainerHttpServer({
    routes: CATALOG_ROUTES,
    handle: createCatalogApi({
      store: new ProductStore({ tableName: requiredEnv('TABLE_NAME'), client: DynamoDBDocumentClient.from(new DynamoDBClient({})) }),
      settings,
      logger,
      metrics: new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'catalog' }),
    }),
    healthPath: '/health',
    drainSeconds: numberFromEnv('DRAIN_SECONDS', 10),
    log: logger,
  });
  // Buffered spans and metrics are exported before the process exits.
  server.exitOnSignals((code) => void (telemetry?.shutdown() ?? Promise.resolve()).finally(() => process.exit(code)));
  const bound = await server.listen(port);
  logger.info('listening', { port: bound });
}

// Before the server is created: its request metric takes the meter provider then.
const telemetry = startTelemetry();
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'catalog' });
main(logger).catch((error: unknown) => {
  logger.error('could not start', error as Error);
  process.exit(1);
});
