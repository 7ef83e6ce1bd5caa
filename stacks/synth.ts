// `npm run synth`: synthesizes every profile with all validation gates, and prints a summary with
// each profile's idle monthly cost (written in full to cdk.out/<profile>/cost.json), and draws the
// architecture diagram (dist/architecture.svg) from the first profile's assembly.
// Needs no AWS account, no credentials and no Docker.
//
// With more than one profile and more than one core, the Lambda entries are bundled once (one
// esbuild build) into cdk.out/lambda-bundles, and each profile is synthesized in a process of its
// own (`synth.ts --profile <name>`), all at once; their reports print in profile order.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CostReport, DEFAULT_LAMBDA_BUNDLING, LAMBDA_BUNDLES_CONTEXT, type PlatformProfile, PROFILES, bundleLambdaEntries, costOf } from 'msa-platform-blueprint';
import { catalog } from '../services';
import { DIAGRAM_PROFILE, demoArchitectureSvg } from './architecture-diagram';
import { createPlatformApp } from './create-app';
import { PLATFORM_NAME } from './environments';

const root = path.resolve(__dirname, '..');
const outRoot = path.join(root, 'cdk.out');

/** Open and acknowledged findings in the validation report a synth left behind (none when there is no report). */
function readFindings(outdir: string): { open: number; acknowledged: number } {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return { open: 0, acknowledged: 0 };
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: { violations?: unknown[]; suppressedViolations?: unknown[] }[] };
  let open = 0;
  let acknowledged = 0;
  for (const plugin of report.pluginReports) {
    open += plugin.violations?.length ?? 0;
    acknowledged += plugin.suppressedViolations?.length ?? 0;
  }
  return { open, acknowledged };
}

/** The profile's idle cost and its five largest items, as printed. */
function costSummary(report: CostReport): string[] {
  const usd = (value: number) => `$${value.toFixed(2)}`;
  return [
    `  idle cost: ${usd(report.monthlyUsd)} a month at ${report.region} list prices of ${report.pricesAsOf} (cdk.out/${report.profile}/cost.json; usage is priced per unit there)`,
    ...report.items.slice(0, 5).map((item) => `    ${usd(item.monthlyUsd).padStart(9)}  ${item.path}`),
  ];
}

/** Synthesizes one profile through every gate and prints its report; false when it failed. */
function synthProfile(profile: PlatformProfile, lambdaBundles?: string): boolean {
  const outdir = path.join(outRoot, profile.name);
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  const { app, stacks } = createPlatformApp({ profile, outdir, context: lambdaBundles ? { [LAMBDA_BUNDLES_CONTEXT]: lambdaBundles } : undefined });
  try {
    app.synth();
  } catch (error) {
    console.error(`\n${profile.name}: synth FAILED: ${(error as Error).message}`);
    return false;
  }
  const findings = readFindings(outdir);
  if (findings.open > 0) {
    console.error(`\n${profile.name}: the validation gates reported ${findings.open} open findings; see cdk.out/${profile.name}/validation-report.json`);
    return false;
  }
  console.log(
    `\n${profile.name} (${((Date.now() - started) / 1000).toFixed(1)} s): gates clean — CloudFormation schema, cdk-nag AwsSolutions + Serverless, Control Tower guard rules` +
      (findings.acknowledged > 0 ? ` (${findings.acknowledged} acknowledged guard findings, each with its reason in the code)` : ''),
  );
  for (const stack of stacks.all) {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
    const resources = Object.keys(template.Resources ?? {}).length;
    const outputs = Object.keys(template.Outputs ?? {}).length;
    console.log(`  stack ${stack.stackName.padEnd(30)} ${String(resources).padStart(4)} resources ${String(outputs).padStart(4)} outputs`);
  }
  for (const spec of stacks.platform.services) {
    const routes = (spec.routes ?? []).map((r) => r.route).join(', ') || 'no routes';
    console.log(`  service ${spec.name.padEnd(12)} ${spec.runtime.padEnd(10)} ${routes}`);
  }
  // The routes the gateway actually wired, not a recount of the specs (which the catalog check has already parsed).
  const gateway = stacks.platform.gateway;
  console.log(`  edge: ${gateway ? `${gateway.methods.size} routes behind the Cognito-authorized REST API` : 'no gateway (no service has routes)'}`);
  const report = costOf(outdir, { profile: profile.name });
  fs.writeFileSync(path.join(outdir, 'cost.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const line of costSummary(report)) console.log(line);
  if (report.unknownTypes.length > 0 || report.unpriced.length > 0) {
    console.error(`${profile.name}: the cost report cannot price everything: unclassified types ${report.unknownTypes.join(', ') || 'none'}; unpriced ${report.unpriced.map((u) => `${u.path} (${u.reason})`).join('; ') || 'none'}`);
    return false;
  }
  return true;
}

/** Runs `synth.ts --profile <name>` in a process of its own; resolves with what it printed and whether it passed. */
function synthInWorker(profile: PlatformProfile, lambdaBundles: string): Promise<{ stdout: string; stderr: string; ok: boolean }> {
  return new Promise((resolve) => {
    // The same node and loader (tsx) as this process.
    const child = spawn(process.execPath, [...process.execArgv, __filename, '--profile', profile.name, '--lambda-bundles', lambdaBundles], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => resolve({ stdout: '', stderr: `${profile.name}: could not start its synth process: ${error.message}\n`, ok: false }));
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ok: code === 0 }));
  });
}

/** The same charts for any cluster (kubectl apply, Pulumi): images not pinned in a spec are tagged from their source. */
function writeManifests(): void {
  // cdk8s is loaded only here, not by the profiles' synths.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeKubernetesManifests } = require('./kubernetes-manifests') as typeof import('./kubernetes-manifests');
  const imageRegistry = process.env.IMAGE_REGISTRY ?? 'localhost:5000';
  const files = writeKubernetesManifests(catalog, { platformName: PLATFORM_NAME, outdir: path.join(root, 'dist', 'k8s'), imageRegistry });
  console.log(`\nkubernetes manifests (images from ${imageRegistry} unless pinned): ${files.map((f) => path.relative(root, f)).join(', ') || 'none (no kubernetes services)'}`);
}

async function main(): Promise<number> {
  const argument = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const only = argument('--profile');
  if (only !== undefined) {
    const profile = Object.values(PROFILES).find((p) => p.name === only);
    if (!profile) throw new Error(`no profile named '${only}'; the profiles are ${Object.keys(PROFILES).join(', ')}`);
    return synthProfile(profile, argument('--lambda-bundles')) ? 0 : 1;
  }
  const profiles = Object.values(PROFILES);
  const passed = new Set<string>();
  let ok = true;
  if (profiles.length > 1 && os.availableParallelism() > 1) {
    // Every Lambda entry of the catalog bundled once, in one build, for all the profiles' processes.
    const lambdaBundles = path.join(outRoot, 'lambda-bundles');
    fs.rmSync(lambdaBundles, { recursive: true, force: true });
    const entries = catalog.flatMap((spec) => (spec.runtime === 'lambda' && spec.lambda ? [{ entry: spec.lambda.entry, options: DEFAULT_LAMBDA_BUNDLING }] : []));
    await bundleLambdaEntries(entries, lambdaBundles);
    const results = await Promise.all(profiles.map((profile) => synthInWorker(profile, lambdaBundles)));
    results.forEach((result, index) => {
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.ok) passed.add(profiles[index].name);
      ok &&= result.ok;
    });
  } else {
    for (const profile of profiles) {
      const profileOk = synthProfile(profile);
      if (profileOk) passed.add(profile.name);
      ok &&= profileOk;
    }
  }
  writeManifests();
  // The diagram the README shows (docs/architecture.svg is the committed copy; `npm run diagram` refreshes it).
  if (passed.has(DIAGRAM_PROFILE.name)) {
    const diagram = path.join(root, 'dist', 'architecture.svg');
    fs.mkdirSync(path.dirname(diagram), { recursive: true });
    fs.writeFileSync(diagram, await demoArchitectureSvg(path.join(outRoot, DIAGRAM_PROFILE.name)));
    console.log(`architecture diagram (from the ${DIAGRAM_PROFILE.name} assembly): ${path.relative(root, diagram)}`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
