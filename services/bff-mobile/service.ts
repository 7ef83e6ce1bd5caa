import * as path from 'node:path';
import type { LambdaServiceSpec } from 'msa-platform-blueprint';
import { MOBILE_FLAG_DEFAULTS, MOBILE_ROUTES } from './mobile-api';

/** The mobile front end's backend (BFF): a compact order summary from orders and catalog. */
export const bffMobile: LambdaServiceSpec = {
  name: 'bff-mobile',
  description: 'Backend for the mobile front end: compact order summaries',
  runtime: 'lambda',
  routes: MOBILE_ROUTES.map((route) => ({ route, frontEnds: ['mobile'] })),
  calls: ['orders', 'catalog'],
  // Tighter than the web: orders 2 x 1500 + 100 ms, catalog one 1000 ms attempt (a missing name is
  // acceptable on a phone), plus 1 s for the handler: 5.1 s, within the function's 6 s and the
  // app's 10 s.
  resilience: {
    orders: { timeoutMs: 1500, retries: 1, backoffMs: 100, errorThresholdPercent: 50, volumeThreshold: 5, resetTimeoutMs: 10_000 },
    catalog: { timeoutMs: 1000, retries: 0, errorThresholdPercent: 50, volumeThreshold: 5, resetTimeoutMs: 10_000 },
  },
  featureFlags: { ...MOBILE_FLAG_DEFAULTS },
  entry: {
    frontEnd: 'mobile',
    basePath: '/mobile',
    rateLimit: 50,
    burstLimit: 100,
    quota: { limit: 200_000, period: 'DAY' },
    maxBodyBytes: 1024,
    clientTimeoutMs: 10_000,
  },
  scaling: { min: 0, max: 20 },
  lambda: { entry: path.join(__dirname, 'handler.ts'), memoryMiB: 256, timeoutSeconds: 6 },
};
