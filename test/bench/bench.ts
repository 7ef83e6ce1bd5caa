// `npm run bench` (tsx test/bench/bench.ts [--skip-tests] [--only cost,scale,diagram,local]): prints synth, test-suite and bundle-size
// figures next to their goals (container bundle sizes without one), how long `npm run dev` takes to be ready, how synth scales with
// generated catalogs of 20, 50 and 200 services, and what the platform costs a month while idle
// (each profile, and what one more Lambda or Fargate service adds), and how long the architecture
// diagram takes to draw (the demo, and a generated catalog of 200). It reports; it fails only when
// something errors.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { type CostReport, costOf } from '../../constructs/cost/cost-report';
import { VALIDATE_AGAINST_DEFAULT_RULES } from '../../constructs/gates/validation-gates';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { DEV_PROFILE, PROD_PROFILE, type PlatformProfile } from '../../constructs/profile';
import { architectureOf, renderArchitectureSvg } from '../../local/architecture';
import { onLines } from '../../local/runner/log-tail';
import { catalog, sagas } from '../../services';
import { createPlatformApp } from '../../stacks/create-app';
import { generateCatalog, MIXED_RUNTIMES, ROUTED_EVERY } from '../support/generated-catalog';
import { LAMBDA_BUNDLE_OPTIONS } from '../support/lambda-bundle-options';

const root = path.resolve(__dirname, '..', '..');
const RUNS = 3;
const SYNTH_RATIO_GOAL = 2.5;
const TEST_GOAL_SECONDS = 60;
const BUNDLE_BUDGET_BYTES = 150 * 1024;
const SCALE_SIZES = [20, 50, 200] as const;
const SCALE_RATIO_GOAL = 12;
const LOCAL_START_GOAL_SECONDS = 15;
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

/** Wall time of a command, in ms; throws when it fails. */
function timeCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  execFileSync(command, args, { cwd: root, stdio: 'ignore', env: { ...process.env, ...env } });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Medians of `runs` interleaved runs of each command (one of each, then again), so load on the machine falls on all alike. */
function interleavedMedians(runs: number, commands: Record<string, () => number>): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, run] of Object.entries(commands)) times[name].push(run());
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

const GUARD_CACHE = path.join(root, '.cache', 'cfn-guard');

function benchSynth(): void {
  const npx = path.join(root, 'node_modules', '.bin');
  const tsx = path.join(npx, 'tsx');
  const cdk = path.join(npx, 'cdk');
  const emptyApp = path.relative(root, path.join(__dirname, 'empty-app.ts'));
  const cdkOut = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cdk-'));
  // Cold: no judgement of the guard gate kept from before (the cache folder is cleared first).
  fs.rmSync(GUARD_CACHE, { recursive: true, force: true });
  const cold = timeCommand('npm', ['run', '--silent', 'synth']);
  const runs = RUNS;
  const medians = interleavedMedians(runs, {
    synth: () => timeCommand('npm', ['run', '--silent', 'synth']),
    emptyTsx: () => timeCommand(tsx, [emptyApp], { CDK_OUTDIR: path.join(cdkOut, 'empty-tsx') }),
    cdkSynth: () => timeCommand(cdk, ['synth', '--quiet', '--no-notices', '--output', path.join(cdkOut, 'dev')]),
    emptyCdk: () => timeCommand(cdk, ['synth', '--quiet', '--no-notices', '--app', `npx tsx ${emptyApp}`, '--output', path.join(cdkOut, 'empty')]),
  });
  fs.rmSync(cdkOut, { recursive: true, force: true });
  const line = (label: string, ms: number, empty: number) => {
    const ratio = ms / empty;
    console.log(`    ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms   empty app ${empty.toFixed(0).padStart(6)} ms   ${ratio.toFixed(2)}x (goal <= ${SYNTH_RATIO_GOAL}x: ${ratio <= SYNTH_RATIO_GOAL ? 'met' : 'NOT met'})`);
  };
  console.log(`(a) synth, median of ${runs} interleaved runs, each beside an empty CDK app through the same CLI (${os.availableParallelism()} cores)`);
  line('npm run synth (both profiles, every gate)', medians.synth, medians.emptyTsx);
  line('npx cdk synth (dev, through cdk.json)', medians.cdkSynth, medians.emptyCdk);
  console.log(`    npm run synth with the guard cache cleared first: ${cold.toFixed(0)} ms (${(cold / medians.emptyTsx).toFixed(2)}x); the runs above find it warm`);

  // In process, dev: with every gate and without any, per resource.
  let resources = 0;
  const perResource = (gates: boolean) =>
    bestOf(RUNS, (outdir) => {
      const { app, stacks } = createPlatformApp({ profile: DEV_PROFILE, outdir, gates, context: gates ? undefined : { [VALIDATE_AGAINST_DEFAULT_RULES]: false } });
      app.synth();
      resources = stackFigures(outdir, stacks.all).reduce((sum, f) => sum + f.resources, 0);
    }) / resources;
  const ungated = perResource(false);
  const gated = perResource(true);
  console.log(`    dev in process, best of ${RUNS}: ${gated.toFixed(2)} ms per resource with every gate (guard cache warm), ${ungated.toFixed(2)} ms without gates or schema validation (${resources} resources, bundling included)`);
}

function benchTests(skip: boolean): void {
  if (skip) {
    console.log('(b) npm test: skipped (--skip-tests)');
    return;
  }
  // npm test is `tsc --noEmit && jest`; jest's --json report gives each file's time.
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-jest-')), 'report.json');
  const started = Date.now();
  let outcome = 'passed';
  try {
    execFileSync('npm', ['test', '--silent', '--', '--json', `--outputFile=${report}`], { cwd: root, stdio: 'ignore' });
  } catch {
    outcome = 'FAILED';
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`(b) npm test: ${seconds.toFixed(1)} s, ${outcome}  (goal <= ${TEST_GOAL_SECONDS} s: ${seconds <= TEST_GOAL_SECONDS ? 'met' : 'NOT met'})`);
  if (!fs.existsSync(report)) return;
  const results = (JSON.parse(fs.readFileSync(report, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number; assertionResults: unknown[] }[] }).testResults;
  console.log('    the ten slowest test files:');
  for (const file of [...results].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, 10)) {
    console.log(`    ${((file.endTime - file.startTime) / 1000).toFixed(1).padStart(7)} s  ${path.relative(root, file.name)} (${file.assertionResults.length} tests)`);
  }
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
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

/** The idle cost report of a catalog (the demo's unless given), synthesized without bundling or gates, which do not change it. */
function idleCost(profile: PlatformProfile, services?: readonly ServiceSpec[]): CostReport {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cost-'));
  try {
    createPlatformApp({ profile, outdir, services, gates: false, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
    return costOf(outdir, { profile: profile.name });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** USD a month by resource type that `after` has beyond `before`, largest first, zero differences left out. */
function addedByType(before: CostReport, after: CostReport): [string, number][] {
  const byType = (report: CostReport, sign: number, into: Map<string, number>) => {
    for (const item of report.items) into.set(item.type, (into.get(item.type) ?? 0) + sign * item.monthlyUsd);
  };
  const added = new Map<string, number>();
  byType(after, 1, added);
  byType(before, -1, added);
  return [...added].filter(([, usd]) => Math.abs(usd) >= 0.005).sort((a, b) => b[1] - a[1]);
}

function benchCost(): void {
  const usd = (value: number) => `$${value.toFixed(2)}`;
  const table = idleCost(DEV_PROFILE);
  console.log(`(f) idle cost a month at ${table.region} list prices of ${table.pricesAsOf} (costOf; usage charges are listed per unit, not guessed)`);
  for (const profile of [DEV_PROFILE, PROD_PROFILE]) {
    const report = profile === DEV_PROFILE ? table : idleCost(profile);
    console.log(`    demo ${profile.name.padEnd(4)} ${usd(report.monthlyUsd).padStart(9)}; largest: ${report.items.slice(0, 3).map((i) => `${i.path} ${usd(i.monthlyUsd)}`).join(', ')}`);
  }
  // Generated catalogs of 12, 13 and 14 services: the 13th is a Lambda service, the 14th a Fargate one.
  const base = 12;
  if (MIXED_RUNTIMES[base % MIXED_RUNTIMES.length] !== 'lambda' || MIXED_RUNTIMES[(base + 1) % MIXED_RUNTIMES.length] !== 'fargate') throw new Error('the generated catalog no longer adds a Lambda then a Fargate service after 12');
  for (const profile of [DEV_PROFILE, PROD_PROFILE]) {
    const [before, withLambda, withFargate] = [base, base + 1, base + 2].map((size) => idleCost(profile, generateCatalog(size)));
    const lambdaAdds = addedByType(before, withLambda);
    const fargateAdds = addedByType(withLambda, withFargate);
    const total = (adds: [string, number][]) => adds.reduce((sum, [, value]) => sum + value, 0);
    const tasks = fargateAdds.find(([type]) => type === 'AWS::ECS::Service')?.[1] ?? 0;
    const detail = (adds: [string, number][]) => adds.filter(([type]) => type !== 'AWS::ECS::Service').map(([type, value]) => `${type.replace(/^AWS::/, '')} ${usd(value)}`).join(', ');
    console.log(`    ${profile.name}: one more Lambda service adds ${usd(total(lambdaAdds))} a month (${detail(lambdaAdds)})`);
    console.log(`    ${profile.name}: one more Fargate service adds ${usd(total(fargateAdds) - tasks)} a month besides its tasks (${detail(fargateAdds)}), and its tasks at their minimum ${usd(tasks)}`);
  }
}

/** Seconds from starting `npm run dev` (its node process) to its `dashboard:` line, and whether it synthesized the assembly. */
async function devStartUp(): Promise<{ seconds: number; synthesized: boolean }> {
  const started = Date.now();
  const dev = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts', '--edge-port', '0', '--dashboard-port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  onLines(dev.stdout!, (line) => lines.push(line));
  onLines(dev.stderr!, (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => dev.on('exit', (code) => resolve(code)));
  while (!lines.some((line) => line.startsWith('dashboard: '))) {
    if (dev.exitCode !== null) throw new Error(`npm run dev stopped before it was ready:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  dev.kill('SIGTERM');
  const code = await exited;
  if (code !== 0) throw new Error(`npm run dev exited ${code} on SIGTERM`);
  return { seconds, synthesized: lines.some((line) => line.includes('the assembly was synthesized')) };
}

async function benchLocal(): Promise<void> {
  const first = await devStartUp();
  let best = first.synthesized ? Infinity : first.seconds;
  for (let i = 0; i < RUNS - (first.synthesized ? 0 : 1); i++) best = Math.min(best, (await devStartUp()).seconds);
  console.log(`(h) npm run dev, start-up to ready (edge and dashboard printed), best of ${RUNS} with the kept assembly`);
  if (first.synthesized) console.log(`    first start, synthesizing the assembly   ${first.seconds.toFixed(1).padStart(7)} s`);
  console.log(`    start-up to ready                         ${best.toFixed(1).padStart(7)} s  (goal <= ${LOCAL_START_GOAL_SECONDS} s: ${best <= LOCAL_START_GOAL_SECONDS ? 'met' : 'NOT met'})`);
}

/** Best of RUNS, in milliseconds, of an asynchronous step (after one untimed run that loads what it needs). */
async function bestOfAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  let result = await fn();
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    result = await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ms: best, result };
}

async function benchDiagram(): Promise<void> {
  console.log(`(g) architecture diagram (architectureOf, then renderArchitectureSvg: Graphviz in WebAssembly), best of ${RUNS} after a warm-up`);
  const loading = process.hrtime.bigint();
  await renderArchitectureSvg({ source: 'specs', nodes: [], edges: [] });
  console.log(`    Graphviz loaded in                       ${(Number(process.hrtime.bigint() - loading) / 1e6).toFixed(0).padStart(7)} ms (once per process)`);
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-diagram-'));
  try {
    createPlatformApp({ profile: DEV_PROFILE, outdir: assemblyDir, gates: false, context: { 'aws:cdk:bundling-stacks': [] } }).app.synth();
    const cases: [string, () => ReturnType<typeof architectureOf>][] = [
      ['demo (7 services, from the dev assembly)', () => architectureOf({ services: catalog, sagas, assemblyDir })],
      ['200 generated services (from the specs)', () => architectureOf({ services: generateCatalog(200) })],
    ];
    for (const [label, modelOf] of cases) {
      const model = await bestOfAsync(async () => modelOf());
      const svg = await bestOfAsync(() => renderArchitectureSvg(model.result));
      console.log(`    ${label.padEnd(41)} model ${model.ms.toFixed(0).padStart(6)} ms, render ${svg.ms.toFixed(0).padStart(6)} ms, ${(svg.result.length / 1024).toFixed(0)} KB of SVG`);
    }
  } finally {
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}

/** The sections, in the order they run; `--only <name>[,<name>]` runs some of them. */
const SECTIONS: Readonly<Record<string, (skipTests: boolean) => void | Promise<void>>> = {
  synth: benchSynth,
  scale: benchScale,
  cost: benchCost,
  tests: benchTests,
  bundles: benchBundles,
  containers: benchContainerBundles,
  diagram: benchDiagram,
  local: benchLocal,
};

async function main(): Promise<void> {
  const skipTests = process.argv.includes('--skip-tests');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : Object.keys(SECTIONS);
  const unknown = only.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown bench section(s) ${unknown.join(', ')}; the sections are ${Object.keys(SECTIONS).join(', ')}`);
  for (const name of only) await SECTIONS[name](skipTests);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
