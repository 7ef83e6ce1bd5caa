/**
 * Process entry of the catalog container: reads its settings (failing fast if it cannot), then
 * serves the catalog API through the shared container process (`runContainerProcess`: `PORT`,
 * `DRAIN_SECONDS`, logs, telemetry, SIGTERM drain).
 *
 * Environment: `TABLE_NAME`, `CONFIG_PATH`, `CONFIG_MAX_AGE_SECONDS` (default 60),
 * `POWERTOOLS_METRICS_NAMESPACE` for the metrics, and what `runContainerProcess` reads.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runContainerProcess, RefreshingSettings } from 'msa-platform-blueprint/runtime/container';
import { ServiceConfig, numberFromEnv, requiredEnv } from 'msa-platform-blueprint/runtime';
import { CATALOG_ROUTES, createCatalogApi } from './catalog-api';
import { CatalogSettings } from './product';
import { ProductStore } from './product-store';

runContainerProcess({
  serviceName: 'catalog',
  routes: CATALOG_ROUTES,
  start: async (logger) => {
    const settings = new RefreshingSettings({
      source: new ServiceConfig({ path: requiredEnv('CONFIG_PATH'), schema: CatalogSettings, maxAgeSeconds: numberFromEnv('CONFIG_MAX_AGE_SECONDS', 60) }),
      log: logger,
    });
    await settings.start();
    return createCatalogApi({
      store: new ProductStore({ tableName: requiredEnv('TABLE_NAME'), client: DynamoDBDocumentClient.from(new DynamoDBClient({})) }),
      settings,
      logger,
      metrics: new Metrics({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'catalog' }),
    });
  },
});
