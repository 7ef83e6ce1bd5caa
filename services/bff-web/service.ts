import * as path from 'node:path';
import type { LambdaServiceSpec } from 'msa-platform-blueprint';
import { WEB_FLAG_DEFAULTS, WEB_ROUTES } from './web-api';

/** The web front end's backend (BFF): full order detail from orders and catalog. */
export const bffWeb: LambdaServiceSpec = {
  name: 'bff-web',
  description: 'Backend for the web front end: order detail with product data',
  runtime: 'lambda',
  routes: WEB_ROUTES.map((route) => ({ route, frontEnds: ['web'] })),
  calls: ['orders', 'catalog'],
  // Budgets: orders 2 x 2000 + 100 ms, catalog 2 x 1500 + 100 ms, plus 1 s for the handler: 8.2 s,
  // within the function's 10 s and the web client's 15 s.
  resilience: {
    orders: { timeoutMs: 2000, retries: 1, backoffMs: 100, errorThresholdPercent: 50, volumeThreshold: 5, resetTimeoutMs: 10_000 },
    catalog: { timeoutMs: 1500, retries: 1, backoffMs: 100, errorThresholdPercent: 50, volumeThreshold: 5, resetTimeoutMs: 10_000 },
  },
  featureFlags: { ...WEB_FLAG_DEFAULTS },
  entry: {
    frontEnd: 'web',
    basePath: '/web',
    rateLimit: 100,
    burstLimit: 200,
    quota: { limit: 500_000, period: 'DAY' },
    maxBodyBytes: 1024,
    clientTimeoutMs: 15_000,
  },
  scaling: { min: 0, max: 20 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 10 },
};
