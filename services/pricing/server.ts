/**
 * Process entry of the pricing container: reads its settings from the environment (failing fast if
 * they are missing or malformed), then serves the pricing API through the shared container process
 * (`runContainerProcess`: `PORT`, `DRAIN_SECONDS`, logs, telemetry, SIGTERM drain).
 *
 * Environment: `CONFIG_taxRatePercent` and `CONFIG_currency` (the chart's ConfigMap), and what
 * `runContainerProcess` reads.
 */
import { runContainerProcess } from 'msa-platform-blueprint/runtime/container';
import { PRICING_ROUTES, createPricingApi } from './pricing-api';
import { settingsFromEnvironment } from './quote';

runContainerProcess({
  serviceName: 'pricing',
  routes: PRICING_ROUTES,
  start: (logger) => createPricingApi({ settings: settingsFromEnvironment(process.env), logger }),
});
