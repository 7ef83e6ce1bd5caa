import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PROFILES } from '../../constructs/profile';
import { createPlatformApp } from '../../stacks/create-app';
import { VALIDATE_AGAINST_DEFAULT_RULES, addValidationGates } from '../../stacks/validation-gates';

// Synth with every gate is CPU-heavy (cdk-nag + cfn-guard + schema validation); three synths in all.
jest.setTimeout(180_000);

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

interface PluginReport {
  pluginName: string;
  violations?: { ruleName?: string }[];
  suppressedViolations?: unknown[];
}

function readReport(outdir: string): PluginReport[] | undefined {
  const file = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: PluginReport[] }).pluginReports;
}

const tmpDirs: string[] = [];
function tmpOutdir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gates-${label}-`));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.values(PROFILES).map((profile) => [profile.name, profile] as const))('%s profile', (_name, profile) => {
  test('synthesizes through every validation gate with no open findings', () => {
    const outdir = tmpOutdir(profile.name);
    const { app, stacks } = createPlatformApp({ profile, outdir, context: SKIP_BUNDLING });

    expect(() => app.synth()).not.toThrow();

    const open = (readReport(outdir) ?? []).map((p) => ({ plugin: p.pluginName, open: (p.violations ?? []).length }));
    expect(open.filter((p) => p.open > 0)).toEqual([]);

    expect(stacks.kubernetes).toBeDefined();
    for (const stack of [stacks.network, stacks.shared, stacks.services, stacks.edge, stacks.kubernetes!, stacks.observability]) {
      const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
      expect({ stack: stack.stackName, resources: Object.keys(template.Resources ?? {}).length > 5 }).toEqual({ stack: stack.stackName, resources: true });
    }
  });
});

test('control: a non-compliant stack fails synth with findings from every gate', () => {
  const outdir = tmpOutdir('control');
  const app = new App({ outdir, context: { [VALIDATE_AGAINST_DEFAULT_RULES]: true, ...SKIP_BUNDLING } });
  addValidationGates(app);
  const stack = new Stack(app, 'NonCompliant');
  // No KMS encryption, no DLQ, no SSL-only policy: flagged by AwsSolutions, Serverless and the guard rules.
  new sqs.Queue(stack, 'PlainQueue');
  // A value the CloudFormation resource schema rejects (VisibilityTimeout is an integer).
  new CfnResource(stack, 'BadQueue', { type: 'AWS::SQS::Queue', properties: { VisibilityTimeout: 'abc' } });

  // In aws-cdk-lib 2.276 the thrown message is the rendered findings list (it does not say 'Validation failed').
  let thrown: Error | undefined;
  try {
    app.synth();
  } catch (error) {
    thrown = error as Error;
  }
  expect(thrown).toBeDefined();
  expect(thrown!.message).toMatch(/ERROR .*\(CloudFormation Validate\)/);

  const report = readReport(outdir);
  expect(report).toBeDefined();
  const openByPlugin = new Map<string, number>();
  for (const p of report ?? []) openByPlugin.set(p.pluginName, (openByPlugin.get(p.pluginName) ?? 0) + (p.violations ?? []).length);
  const pluginNames = [...openByPlugin.keys()];
  const schemaPlugin = pluginNames.find((name) => /cloudformation/i.test(name) && !/guard/i.test(name));

  expect(openByPlugin.get('AwsSolutions')).toBeGreaterThan(0);
  expect(openByPlugin.get('Serverless')).toBeGreaterThan(0);
  expect(openByPlugin.get('cdk-validator-cfnguard')).toBeGreaterThan(0);
  expect(schemaPlugin).toBeDefined();
  expect(openByPlugin.get(schemaPlugin!)).toBeGreaterThan(0);
});
