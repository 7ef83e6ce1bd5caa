// `npm run bench` (tsx test/bench/bench.ts [--skip-tests]): prints synth, test-suite and bundle-size
// figures next to their goals (container bundle sizes without one), and how synth scales with
// generated catalogs of 20, 50 and 200 services. It reports; it fails only when something errors.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { DEV_PROFILE } from '../../constructs/profile';
import { catalog } from '../../services';
import { createPlatformApp } from '../../stacks/create-app';
import { generateCatalog, ROUTED_EVERY } from '../support/generated-catalog';
import { LAMBDA_BUNDLE_OPTIONS } from '../support/lambda-bundle-options';

const root = path.resolve(__dirname, '..', '..');
const RUNS = 3;
const SYNTH_RATIO_GOAL = 2.5;
const TEST_GOAL_SECONDS = 90;
const BUNDLE_BUDGET_BYTES = 150 * 1024;
const SCALE_SIZES = [20, 50, 200] as const;
const SCALE_RATIO_GOAL = 12;
/** CloudFormation's limits on one stack. */
const STACK_LIMITS = { resources: 500, outputs: 200, templateBytes: 1024 * 1024 };

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
  console.log(`    dev platform (bundling, gates)           ${platform.toFixed(0).padStart(7)} ms`);
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

interface StackFigure {
  readonly name: string;
  readonly resources: number;
  readonly outputs: number;
  readonly bytes: number;
}

/** Each stack of a synthesized assembly, as CloudFormation counts it: resources, outputs and the template file's size. */
function stackFigures(outdir: string, stacks: readonly { stackName: string; templateFile: string }[]): StackFigure[] {
  return stacks.map(({ stackName, templateFile }) => {
    const file = path.join(outdir, templateFile);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { name: stackName, resources: Object.keys(template.Resources ?? {}).length, outputs: Object.keys(template.Outputs ?? {}).length, bytes: fs.statSync(file).size };
  });
}

function benchScale(): void {
  console.log(`(e) scale: generated catalogs (Lambda, Fargate and kubernetes services 4:1:1, every ${ROUTED_EVERY}th with routes, events on each), bundling skipped, gates off, best of ${RUNS}`);
  const times = new Map<number, number>();
  for (const size of SCALE_SIZES) {
    const services = generateCatalog(size);
    let figures: StackFigure[] = [];
    const ms = bestOf(RUNS, (outdir) => {
      const { app, stacks } = createPlatformApp({ profile: DEV_PROFILE, outdir, services, gates: false, context: { 'aws:cdk:bundling-stacks': [] } });
      app.synth();
      figures = stackFigures(outdir, stacks.all);
    });
    times.set(size, ms);
    const most = (key: 'resources' | 'outputs' | 'bytes') => figures.reduce((a, b) => (b[key] > a[key] ? b : a));
    const within = figures.every((f) => f.resources <= STACK_LIMITS.resources && f.outputs <= STACK_LIMITS.outputs && f.bytes <= STACK_LIMITS.templateBytes);
    const [resources, outputs, bytes] = [most('resources'), most('outputs'), most('bytes')];
    console.log(
      `    ${String(size).padStart(3)} services: ${String(figures.length).padStart(3)} stacks, synth ${ms.toFixed(0).padStart(6)} ms; ` +
        `largest: ${resources.resources} resources (${resources.name}), ${outputs.outputs} outputs (${outputs.name}), ${(bytes.bytes / 1024).toFixed(0)} KB template (${bytes.name}); ` +
        `every stack within 500 resources, 200 outputs, 1 MB: ${within ? 'yes' : 'NO'}`,
    );
  }
  const ratio = times.get(200)! / times.get(20)!;
  console.log(`    200 / 20 services: ${ratio.toFixed(2)}x the synth time for 10x the services (goal <= ${SCALE_RATIO_GOAL}x: ${ratio <= SCALE_RATIO_GOAL ? 'met' : 'NOT met'})`);
}

function main(): void {
  const skipTests = process.argv.includes('--skip-tests');
  benchSynth();
  benchScale();
  benchTests(skipTests);
  benchBundles();
  benchContainerBundles();
}

main();
