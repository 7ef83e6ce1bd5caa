import * as path from 'node:path';
import type { FargateServiceSpec } from 'msa-platform-blueprint';
import { CATALOG_ROUTES } from './catalog-api';

/** Catalog: answers for products. A container service on Fargate, owns its table. */
export const catalog: FargateServiceSpec = {
  name: 'catalog',
  description: 'Lists products and answers for one by id',
  runtime: 'fargate',
  routes: CATALOG_ROUTES.map((route) => ({ route })),
  config: {
    defaultPageSize: '20',
    maxPageSize: '100',
  },
  table: { partitionKey: 'id' },
  scaling: { min: 2, max: 6 },
  container: {
    port: 8080,
    cpu: 256,
    memoryMiB: 512,
    healthCheckPath: '/health',
    dockerfileDirectory: __dirname,
    buildContext: path.resolve(__dirname, '..', '..'),
    drainSeconds: 10,
  },
};
