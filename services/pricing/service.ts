import * as path from 'node:path';
import type { KubernetesServiceSpec } from 'msa-platform-blueprint';
import { PRICING_ROUTES } from './pricing-api';

/** Pricing: prices quotes with the configured tax rate. A container service on Kubernetes (EKS). */
export const pricing: KubernetesServiceSpec = {
  name: 'pricing',
  description: 'Prices quotes (subtotal, tax, total) with the configured tax rate and currency',
  runtime: 'kubernetes',
  routes: PRICING_ROUTES.map((route) => ({ route })),
  config: {
    taxRatePercent: '19',
    currency: 'EUR',
  },
  scaling: { min: 2, max: 10 },
  container: {
    port: 8080,
    cpu: 250,
    memoryMiB: 256,
    healthCheckPath: '/health',
    dockerfileDirectory: __dirname,
    buildContext: path.resolve(__dirname, '..', '..'),
    drainSeconds: 15,
  },
};
