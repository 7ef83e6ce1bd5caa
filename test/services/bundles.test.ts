/**
 * The deployed bundles: each Lambda service's handler, built as the Lambda construct builds it
 * (esbuild, minified, CommonJS, AWS SDK left to the runtime), must stay within the size budget and
 * load on its own with the environment the construct sets.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { catalog } from '../../services';
import { LAMBDA_BUNDLE_OPTIONS } from '../support/lambda-bundle-options';

const BUDGET_BYTES = 150_000;

/** Every variable a LambdaMicroservice may set, with placeholder values. */
const DEPLOYED_ENVIRONMENT = {
  TABLE_NAME: 'table',
  EVENT_STORE_TABLE_NAME: 'events',
  READ_MODEL_TABLE_NAME: 'read-model',
  EVENT_BUS_NAME: 'bus',
  CONFIG_PATH: '/shop/test/service',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_METRICS_NAMESPACE: 'shop',
};

describe('the Lambda bundles', () => {
  const savedEnv = { ...process.env };
  // Inside the repository (git-ignored), so the bundle finds the AWS SDK in node_modules as the Lambda runtime provides it.
  const outdir = path.join(__dirname, '__tmp__');
  let workdir: string;

  beforeAll(() => {
    mkdirSync(outdir, { recursive: true });
    workdir = mkdtempSync(path.join(outdir, 'bundle-'));
    Object.assign(process.env, DEPLOYED_ENVIRONMENT);
  });
  afterAll(() => {
    rmSync(workdir, { recursive: true, force: true });
    try {
      rmdirSync(outdir);
    } catch {
      // another test still uses it
    }
    process.env = savedEnv;
  });

  test.each(catalog.filter((spec) => spec.lambda !== undefined).map((spec) => [spec.name, spec] as const))(
    `%s stays under ${BUDGET_BYTES / 1000} KB and loads with only the AWS SDK outside it`,
    async (name, spec) => {
      const outfile = path.join(workdir, `${name}.js`);
      await build({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [spec.lambda!.entry], outfile });
      expect(statSync(outfile).size).toBeLessThan(BUDGET_BYTES);
      // The pointers the constructs set for this service (registry namespace, flag profile).
      Object.assign(process.env, {
        CONFIG_PATH: `/shop/test/${spec.name}`,
        ...(spec.calls?.length ? { DISCOVERY_NAMESPACE: 'shop-test' } : {}),
        ...(spec.featureFlags ? { FEATURE_FLAGS_APPLICATION: 'shop-test', FEATURE_FLAGS_ENVIRONMENT: 'test', FEATURE_FLAGS_PROFILE: spec.name } : {}),
      });
      const bundled = require(outfile) as { [name: string]: unknown };
      expect(typeof bundled[spec.lambda!.handler ?? 'handler']).toBe('function');
    },
  );
});
