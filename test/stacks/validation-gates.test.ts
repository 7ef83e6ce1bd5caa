import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, CfnResource, type IPolicyValidationContextBeta1, type IPolicyValidationPluginBeta1, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { PROFILES } from '../../constructs/profile';
import { createPlatformApp } from '../../stacks/create-app';
import { VALIDATE_AGAINST_DEFAULT_RULES, addValidationGates } from '../../constructs/gates/validation-gates';
import { CONTROL_TOWER_RULES_DIRECTORY, ControlTowerGuardGate, applicableRules, controlTowerRuleFiles } from '../../constructs/gates/control-tower-guard';

// Synth with every gate is CPU-heavy (cdk-nag + cfn-guard + schema validation); three synths in all,
// and one comparison of the guard gate with the full rule set on a few templates.
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

/** Each profile's synth output, kept for the guard comparison below. */
const synthesized = new Map<string, { outdir: string; stacks: ReturnType<typeof createPlatformApp>['stacks'] }>();

describe.each(Object.values(PROFILES).map((profile) => [profile.name, profile] as const))('%s profile', (_name, profile) => {
  test('synthesizes through every validation gate with no open findings', () => {
    const outdir = tmpOutdir(profile.name);
    const { app, stacks } = createPlatformApp({ profile, outdir, context: SKIP_BUNDLING });
    synthesized.set(profile.name, { outdir, stacks });

    expect(() => app.synth()).not.toThrow();

    const open = (readReport(outdir) ?? []).map((p) => ({ plugin: p.pluginName, open: (p.violations ?? []).length }));
    expect(open.filter((p) => p.open > 0)).toEqual([]);

    expect(stacks.kubernetes).toBeDefined();
    expect(stacks.all).toHaveLength(15);
    for (const stack of stacks.all) {
      const template = JSON.parse(fs.readFileSync(path.join(outdir, stack.templateFile), 'utf8'));
      expect({ stack: stack.stackName, resources: Object.keys(template.Resources ?? {}).length > 0 }).toEqual({ stack: stack.stackName, resources: true });
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

describe('the Control Tower guard gate runs only the rules that concern the templates', () => {
  /** The findings of a guard plugin over some templates, as comparable text. */
  const findingsOf = (plugin: IPolicyValidationPluginBeta1, templatePaths: string[]) =>
    plugin.validate({ templatePaths } as IPolicyValidationContextBeta1).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${path.basename(r.templatePath)} ${r.resourceLogicalId}`))
      .sort();

  test('finds exactly what the full rule set finds, on platform templates with findings and on a non-compliant stack', () => {
    const dev = synthesized.get('dev');
    expect(dev).toBeDefined();
    // Two platform templates (the kubernetes one has acknowledged findings) and a stack that breaks rules on purpose.
    const app = new App({ outdir: tmpOutdir('guard') });
    const stack = new Stack(app, 'NonCompliant');
    new sqs.Queue(stack, 'PlainQueue');
    new s3.Bucket(stack, 'PlainBucket');
    app.synth();
    const templates = [
      path.join(dev!.outdir, dev!.stacks.network.templateFile),
      path.join(dev!.outdir, dev!.stacks.kubernetes!.templateFile),
      path.join(app.outdir, stack.templateFile),
    ];
    const selective = findingsOf(new ControlTowerGuardGate({ maxBuffer: 64 * 1024 * 1024 }), templates);
    expect(selective.length).toBeGreaterThan(3);
    expect(selective.some((f) => f.includes('NonCompliant.template.json PlainQueue'))).toBe(true);
    expect(selective).toEqual(findingsOf(new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }), templates));
  });

  test('keeps a rule when any type it names is present, and one that names no type; leaves out the rest', () => {
    const rules = [
      { file: 'queue.guard', resourceTypes: ['AWS::SQS::Queue'] },
      { file: 'mixed.guard', resourceTypes: ['AWS::AppSync::GraphQLApi', 'AWS::S3::Bucket'] },
      { file: 'untyped.guard', resourceTypes: [] },
      { file: 'athena.guard', resourceTypes: ['AWS::Athena::WorkGroup'] },
    ];
    expect(applicableRules(rules, new Set(['AWS::SQS::Queue', 'AWS::S3::Bucket'])).map((r) => r.file)).toEqual(['queue.guard', 'mixed.guard', 'untyped.guard']);
    expect(applicableRules(rules, new Set()).map((r) => r.file)).toEqual(['untyped.guard']);
  });

  test('reads the resource types each shipped rule names', () => {
    const rules = controlTowerRuleFiles();
    expect(rules.length).toBeGreaterThan(200);
    const sqsRules = rules.filter((r) => r.resourceTypes.includes('AWS::SQS::Queue'));
    expect(sqsRules.length).toBeGreaterThan(0);
    for (const rule of rules) for (const type of rule.resourceTypes) expect(type).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
  });
});

describe('the guard gate keeps its judgements by content', () => {
  /** A non-compliant stack's template, synthesized without gates; `extra` adds a second queue. */
  function nonCompliantTemplate(label: string, extra = false): string {
    const app = new App({ outdir: tmpOutdir(label) });
    const stack = new Stack(app, 'NonCompliant');
    new sqs.Queue(stack, 'PlainQueue');
    if (extra) new sqs.Queue(stack, 'AnotherQueue');
    app.synth();
    return path.join(app.outdir, stack.templateFile);
  }
  const findings = (report: { violations: { ruleName: string; violatingResources: { resourceLogicalId: string; templatePath: string }[] }[] }) =>
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.templatePath} ${r.resourceLogicalId}`)).sort();
  const validate = (gate: ControlTowerGuardGate, templatePaths: string[]) => gate.validate({ templatePaths } as IPolicyValidationContextBeta1);

  test('answers a template it judged before with the same rules from the cache folder, and judges a changed template again', () => {
    const cacheDirectory = tmpOutdir('guard-cache');
    const gate = new ControlTowerGuardGate({ maxBuffer: 64 * 1024 * 1024, cacheDirectory });
    const first = nonCompliantTemplate('first');
    const fresh = validate(gate, [first]);
    expect(fresh.success).toBe(false);
    expect(findings(fresh).some((f) => f.includes(' PlainQueue'))).toBe(true);
    expect(findings(fresh)).toEqual(findings(validate(new ControlTowerGuardGate({ maxBuffer: 64 * 1024 * 1024, cacheDirectory: false }), [first])));
    const filed = fs.readdirSync(cacheDirectory);
    expect(filed).toHaveLength(1);

    // The same template text elsewhere is answered from the cache, naming the template where it is now.
    const copy = path.join(tmpOutdir('copy'), 'NonCompliant.template.json');
    fs.copyFileSync(first, copy);
    const cached = validate(gate, [copy]);
    expect(findings(cached)).toEqual(findings(fresh).map((f) => f.replace(fs.realpathSync(first), fs.realpathSync(copy))));
    // ... and it really comes from the file: a judgement edited by hand is what the gate reports.
    const file = path.join(cacheDirectory, filed[0]);
    fs.writeFileSync(file, JSON.stringify({ success: true, violations: [] }));
    expect(validate(gate, [copy])).toEqual({ success: true, violations: [] });

    // A changed template is judged anew (and filed beside the first), whatever the cache holds.
    const changed = validate(gate, [nonCompliantTemplate('changed', true)]);
    expect(findings(changed).some((f) => f.includes(' AnotherQueue'))).toBe(true);
    expect(fs.readdirSync(cacheDirectory)).toHaveLength(2);
  });

  test('judges again when the text of a rule it applies changes', () => {
    const cacheDirectory = tmpOutdir('guard-rules');
    const rulesDirectory = tmpOutdir('rules-copy');
    fs.cpSync(CONTROL_TOWER_RULES_DIRECTORY, rulesDirectory, { recursive: true });
    const gate = new ControlTowerGuardGate({ maxBuffer: 64 * 1024 * 1024, cacheDirectory, rulesDirectory });
    const template = nonCompliantTemplate('rules');
    const before = findings(validate(gate, [template]));
    expect(before.length).toBeGreaterThan(0);
    expect(fs.readdirSync(cacheDirectory)).toHaveLength(1);

    // One SQS rule now asks nothing: the gate runs cfn-guard again and files a second judgement.
    const sqsRule = controlTowerRuleFiles(rulesDirectory).find((r) => r.resourceTypes.includes('AWS::SQS::Queue') && before.some((f) => fs.readFileSync(r.file, 'utf8').includes(`rule ${f.split(' ')[0]}`)));
    expect(sqsRule).toBeDefined();
    const ruleName = before.find((f) => fs.readFileSync(sqsRule!.file, 'utf8').includes(`rule ${f.split(' ')[0]}`))!.split(' ')[0];
    fs.writeFileSync(sqsRule!.file, `# AWS::SQS::Queue\nrule ${ruleName} { true }\n`);
    const after = findings(validate(gate, [template]));
    expect(fs.readdirSync(cacheDirectory)).toHaveLength(2);
    expect(after.some((f) => f.startsWith(`${ruleName} `))).toBe(false);
    expect(after.length).toBeLessThan(before.length);
  });
});
