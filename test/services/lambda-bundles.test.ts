/**
 * The deployed bundles of every Lambda service in the catalog: built as the Lambda construct
 * builds them (esbuild, minified, CommonJS, AWS SDK left to the runtime), each must stay within the
 * size budget and load on its own with the environment its construct sets.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { catalog } from '../../services';
import { LAMBDA_BUNDLE_OPTIONS } from '../support/lambda-bundle-options';

const BUDGET_BYTES = 150_000;

describe('the Lambda bundles', () => {
  const savedEnv = { ...process.env };
  // Inside the repository (git-ignored), so the bundle finds the AWS SDK in node_modules as the Lambda runtime provides it.
  const outdir = path.join(__dirname, '__tmp__');
  let workdir: string;

  beforeAll(() => {
    mkdirSync(outdir, { recursive: true });
    workdir = mkdtempSync(path.join(outdir, 'bundle-'));
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

  test.each(catalog.filter((spec) => spec.runtime === 'lambda'))(`$name stays under ${BUDGET_BYTES / 1000} KB and loads with only the AWS SDK outside it`, async (spec) => {
    const outfile = path.join(workdir, `${spec.name}.js`);
    await build({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: [spec.lambda!.entry], outfile });
    expect(statSync(outfile).size).toBeLessThan(BUDGET_BYTES);

    // The pointers the constructs set (table, config path, registry namespace, flag profile).
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_METRICS_NAMESPACE: 'shop',
      CONFIG_PATH: `/shop/test/${spec.name}`,
      ...(spec.table ? { TABLE_NAME: `shop-test-${spec.name}` } : {}),
      ...(spec.calls?.length ? { DISCOVERY_NAMESPACE: 'shop-test' } : {}),
      ...(spec.featureFlags ? { FEATURE_FLAGS_APPLICATION: 'shop-test', FEATURE_FLAGS_ENVIRONMENT: 'test', FEATURE_FLAGS_PROFILE: spec.name } : {}),
    });
    const bundled = require(outfile) as { [name: string]: unknown };
    expect(typeof bundled[spec.lambda!.handler ?? 'handler']).toBe('function');
  });
});
