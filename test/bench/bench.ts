// `npm run bench` (tsx test/bench/bench.ts [--skip-tests]): prints synth, test-suite and bundle-size
// figures next to their goals (container bundle sizes without one). It reports; it fails only when
// something errors.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { DEV_PROFILE } from '../../constructs/profile';
import { catalog } from '../../services';
import { createPlatformApp } from '../../stacks/create-app';
import { LAMBDA_BUNDLE_OPTIONS } from '../support/lambda-bundle-options';

const root = path.resolve(__dirname, '..', '..');
const RUNS = 3;
const SYNTH_RATIO_GOAL = 2.5;
const TEST_GOAL_SECONDS = 90;
const BUNDLE_BUDGET_BYTES = 150 * 1024;

function bestOf(runs: number, fn: (outdir: string) => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    try {
      const started = process.hrtime.bigint();
      fn(outdir);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  }
  return best;
}

function benchSynth(): void {
  const empty = bestOf(RUNS, (outdir) => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Empty');
    new CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic' });
    app.synth();
  });
  // Real synth: esbuild bundling and every validation gate.
  const platform = bestOf(RUNS, (outdir) => {
    const { app } = createPlatformApp({ profile: DEV_PROFILE, outdir });
    app.synth();
  });
  const ratio = platform / empty;
  console.log(`(a) synth, best of ${RUNS}`);
  console.log(`    empty app (1 stack, 1 resource)          ${empty.toFixed(0).padStart(7)} ms`);
  console.log(`    dev platform (4 stacks, bundling, gates) ${platform.toFixed(0).padStart(7)} ms`);
  console.log(`    ratio ${ratio.toFixed(2)}x  (goal <= ${SYNTH_RATIO_GOAL}x: ${ratio <= SYNTH_RATIO_GOAL ? 'met' : 'NOT met'})`);

  // The same pair as fresh processes (module loading included), as `cdk synth` runs them.
  const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
  const inProcess = (code: string) => (outdir: string) => {
    execFileSync(tsx, ['-e', code], { cwd: root, stdio: 'ignore', env: { ...process.env, BENCH_OUTDIR: outdir } });
  };
  const emptyCold = bestOf(RUNS, inProcess(`const { App, Stack, CfnResource } = require('aws-cdk-lib'); const app = new App({ outdir: process.env.BENCH_OUTDIR }); new CfnResource(new Stack(app, 'Empty'), 'Topic', { type: 'AWS::SNS::Topic' }); app.synth();`));
  const platformCold = bestOf(RUNS, inProcess(`const { createPlatformApp } = require('./stacks/create-app'); const { DEV_PROFILE } = require('./constructs/profile'); createPlatformApp({ profile: DEV_PROFILE, outdir: process.env.BENCH_OUTDIR }).app.synth();`));
  const coldRatio = platformCold / emptyCold;
  console.log(`    as fresh processes: empty ${emptyCold.toFixed(0)} ms, dev platform ${platformCold.toFixed(0)} ms, ratio ${coldRatio.toFixed(2)}x (goal <= ${SYNTH_RATIO_GOAL}x: ${coldRatio <= SYNTH_RATIO_GOAL ? 'met' : 'NOT met'})`);
}

function benchTests(skip: boolean): void {
  if (skip) {
    console.log('(b) npm test: skipped (--skip-tests)');
    return;
  }
  const started = Date.now();
  let outcome = 'passed';
  try {
    execFileSync('npm', ['test', '--silent'], { cwd: root, stdio: 'ignore' });
  } catch {
    outcome = 'FAILED';
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`(b) npm test: ${seconds.toFixed(1)} s, ${outcome}  (goal < ${TEST_GOAL_SECONDS} s: ${seconds < TEST_GOAL_SECONDS ? 'met' : 'NOT met'})`);
}

function benchBundles(): void {
  console.log(`(c) Lambda bundles (esbuild: bundle, minify, node24, cjs, @aws-sdk/* external), budget ${BUNDLE_BUDGET_BYTES / 1024} KB`);
  for (const spec of catalog) {
    if (!spec.lambda) continue;
    const result = buildSync({
      ...LAMBDA_BUNDLE_OPTIONS,
      entryPoints: [spec.lambda.entry],
      write: false,
    });
    const bytes = result.outputFiles.reduce((sum, f) => sum + f.contents.byteLength, 0);
    const within = bytes <= BUNDLE_BUDGET_BYTES;
    console.log(
      `    ${spec.name.padEnd(16)} ${String(bytes).padStart(9)} bytes (${(bytes / 1024).toFixed(1)} KB, ${((100 * bytes) / BUNDLE_BUDGET_BYTES).toFixed(0)}% of budget: ${within ? 'within' : 'OVER'})`,
    );
  }
}

function benchContainerBundles(): void {
  console.log('(d) container bundles (npm run bundle:container: every dependency inside, AWS SDK included); reported, no budget');
  for (const spec of catalog) {
    const entry = spec.container && path.join(spec.container.dockerfileDirectory, 'server.ts');
    if (!entry || !fs.existsSync(entry)) continue;
    const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-container-')), 'server.js');
    try {
      execFileSync('npm', ['run', '--silent', 'bundle:container', '--', path.relative(root, entry), `--outfile=${outfile}`], { cwd: root, stdio: 'ignore' });
      const bytes = fs.statSync(outfile).size;
      console.log(`    ${spec.name.padEnd(16)} ${String(bytes).padStart(9)} bytes (${(bytes / 1024).toFixed(1)} KB)`);
    } finally {
      fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
    }
  }
}

function main(): void {
  const skipTests = process.argv.includes('--skip-tests');
  benchSynth();
  benchTests(skipTests);
  benchBundles();
  benchContainerBundles();
}

main();
