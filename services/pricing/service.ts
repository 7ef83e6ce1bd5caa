import type { ServiceSpec } from '../../constructs/model/service-spec';

/** Pricing: prices quotes with the configured tax rate. A container service on Kubernetes (EKS). */
export const pricing: ServiceSpec = {
  name: 'pricing',
  description: 'Prices quotes (subtotal, tax, total) with the configured tax rate and currency',
  runtime: 'kubernetes',
  routes: [{ route: 'POST /pricing/quotes' }, { route: 'GET /pricing/tax-rate' }],
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
    drainSeconds: 15,
  },
};
