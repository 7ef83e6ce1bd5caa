/**
 * The deployed bundle: built as the Lambda construct builds it (esbuild, minified, CommonJS, AWS SDK
 * left to the runtime), it must stay within the size budget and load on its own.
 */
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { orders } from '../../../services/orders/service';
import { LAMBDA_BUNDLE_OPTIONS } from '../../support/lambda-bundle-options';

const BUDGET_BYTES = 150_000;

describe('the orders bundle', () => {
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

  test(`stays under ${BUDGET_BYTES / 1000} KB and loads with only the AWS SDK outside it`, async () => {
    const outfile = path.join(workdir, 'handler.js');
    await build({
      ...LAMBDA_BUNDLE_OPTIONS,
      entryPoints: [orders.lambda!.entry],
      outfile,
    });
    expect(statSync(outfile).size).toBeLessThan(BUDGET_BYTES);

    Object.assign(process.env, { TABLE_NAME: 'orders', CONFIG_PATH: '/shop/test/orders', AWS_REGION: 'eu-west-1', POWERTOOLS_METRICS_NAMESPACE: 'shop' });
    const bundled = require(outfile) as { [name: string]: unknown };
    expect(typeof bundled[orders.lambda!.handler ?? 'handler']).toBe('function');
  });
});
