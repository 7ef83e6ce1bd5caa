// `npm run synth`: synthesizes every profile with all validation gates, and prints a summary with
// each profile's idle monthly cost (written in full to cdk.out/<profile>/cost.json), and draws the
// architecture diagram (dist/architecture.svg) from the first profile's assembly.
// Needs no AWS account, no credentials and no Docker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CostReport, PROFILES, costOf } from 'msa-platform-blueprint';
import { catalog } from '../services';
import { DIAGRAM_PROFILE, demoArchitectureSvg } from './architecture-diagram';
import { createPlatformApp } from './create-app';
import { PLATFORM_NAME } from './environments';
import { writeKubernetesManifests } from './kubernetes-manifests';

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

async function main(): Promise<number> {
  let failed = false;
  const synthesized = new Set<string>();
  for (const profile of Object.values(PROFILES)) {
    const outdir = path.join(outRoot, profile.name);
    fs.rmSync(outdir, { recursive: true, force: true });
    const started = Date.now();
    const { app, stacks } = createPlatformApp({ profile, outdir });
    try {
      app.synth();
    } catch (error) {
      failed = true;
      console.error(`\n${profile.name}: synth FAILED: ${(error as Error).message}`);
      continue;
    }
    const findings = readFindings(outdir);
    if (findings.open > 0) {
      failed = true;
      console.error(`\n${profile.name}: the validation gates reported ${findings.open} open findings; see cdk.out/${profile.name}/validation-report.json`);
      continue;
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
    synthesized.add(profile.name);
    const report = costOf(outdir, { profile: profile.name });
    fs.writeFileSync(path.join(outdir, 'cost.json'), `${JSON.stringify(report, null, 2)}\n`);
    for (const line of costSummary(report)) console.log(line);
    if (report.unknownTypes.length > 0 || report.unpriced.length > 0) {
      failed = true;
      console.error(`${profile.name}: the cost report cannot price everything: unclassified types ${report.unknownTypes.join(', ') || 'none'}; unpriced ${report.unpriced.map((u) => `${u.path} (${u.reason})`).join('; ') || 'none'}`);
    }
  }
  // The same charts for any cluster (kubectl apply, Pulumi): images not pinned in a spec are tagged from their source.
  const imageRegistry = process.env.IMAGE_REGISTRY ?? 'localhost:5000';
  const files = writeKubernetesManifests(catalog, { platformName: PLATFORM_NAME, outdir: path.join(root, 'dist', 'k8s'), imageRegistry });
  console.log(`\nkubernetes manifests (images from ${imageRegistry} unless pinned): ${files.map((f) => path.relative(root, f)).join(', ') || 'none (no kubernetes services)'}`);
  // The diagram the README shows (docs/architecture.svg is the committed copy; `npm run diagram` refreshes it).
  if (synthesized.has(DIAGRAM_PROFILE.name)) {
    const diagram = path.join(root, 'dist', 'architecture.svg');
    fs.mkdirSync(path.dirname(diagram), { recursive: true });
    fs.writeFileSync(diagram, await demoArchitectureSvg(path.join(outRoot, DIAGRAM_PROFILE.name)));
    console.log(`architecture diagram (from the ${DIAGRAM_PROFILE.name} assembly): ${path.relative(root, diagram)}`);
  }
  return failed ? 1 : 0;
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
