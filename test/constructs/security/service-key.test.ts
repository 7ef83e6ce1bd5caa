import { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DEV_PROFILE, PlatformSpecError, type ServiceSpec, addPlatformStacks } from 'msa-platform-blueprint';
import { catalog as catalogService } from '../../../services/catalog/service';
import { inventory } from '../../../services/inventory/service';
import { orders } from '../../../services/orders/service';
import { payments } from '../../../services/payments/service';
import { arnText, newApp } from '../helpers';

// Lambda services with a table, events published and consumed (so event queues and dead letters
// are made), and a Fargate service: every kind of resource a service encrypts.
const services: ServiceSpec[] = [orders, inventory, payments, catalogService];

function synth(profile = DEV_PROFILE) {
  const app = newApp();
  const stacks = addPlatformStacks(app, { platformName: 'acme', profile, services });
  const templates = new Map(stacks.all.map((stack) => [stack.stackName, Template.fromStack(stack)]));
  return { stacks, templates };
}

const keysOf = (template: Template) => Object.keys(template.findResources('AWS::KMS::Key'));

describe('the services share one key by default', () => {
  const { stacks, templates } = synth();
  const shared = templates.get('acme-dev-shared')!;
  const serviceStacks = [...templates.entries()].filter(([name]) => name.startsWith('acme-dev-service-'));
  const keyId = Object.entries(shared.findResources('AWS::KMS::Key')).find(([, key]) => String(key.Properties.Description).includes('services of acme-dev'))?.[0];

  test('one key in the shared stack, with an alias, and none in any service stack', () => {
    expect(keyId).toBeDefined();
    shared.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/acme-dev/services', TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(serviceStacks.map(([name]) => name).sort()).toEqual(services.map((s) => `acme-dev-service-${s.name}`).sort());
    for (const [name, template] of serviceStacks) expect({ name, keys: keysOf(template) }).toEqual({ name, keys: [] });
  });

  test("every service's tables and log groups are encrypted with it, and its queues name it by alias", () => {
    for (const [name, template] of serviceStacks) {
      const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
      for (const table of tables) expect({ name, key: JSON.stringify(table.Properties.SSESpecification.KMSMasterKeyId) }).toEqual({ name, key: expect.stringContaining('Fn::ImportValue') });
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(logGroups.length).toBeGreaterThan(0);
      for (const group of logGroups) expect({ name, key: JSON.stringify(group.Properties.KmsKeyId) }).toEqual({ name, key: expect.stringContaining('Fn::ImportValue') });
      for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) expect({ name, key: queue.Properties.KmsMasterKeyId }).toEqual({ name, key: 'alias/acme-dev/services' });
    }
    // Tables: orders, its event store and read model, inventory, payments, catalog; queues: failed invocations and inventory's events.
    const count = (type: string) => serviceStacks.reduce((n, [, t]) => n + Object.keys(t.findResources(type)).length, 0);
    expect(count('AWS::DynamoDB::Table')).toBeGreaterThanOrEqual(4);
    expect(count('AWS::SQS::Queue')).toBeGreaterThanOrEqual(5);
  });

  test("the edge's access logs are encrypted with it too: the edge stack has no key of its own", () => {
    const edge = templates.get('acme-dev-edge')!;
    expect(keysOf(edge)).toEqual([]);
    const groups = Object.values(edge.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expect(JSON.stringify(group.Properties.KmsKeyId)).toContain('Fn::ImportValue');
  });

  test('a stack whose queues name the key by alias deploys after the shared stack', () => {
    const sharedStack = stacks.all.find((s) => s.stackName === 'acme-dev-shared')!;
    for (const stack of stacks.all.filter((s) => s.stackName === 'acme-dev-service-inventory' || s.stackName === 'acme-dev-service-orders')) {
      expect(stack.dependencies).toContain(sharedStack);
    }
  });

  test("each service's role may use the key, and reaches only its own table", () => {
    const inventoryTemplate = templates.get('acme-dev-service-inventory')!;
    const statements = Object.values(inventoryTemplate.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const kmsStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect(kmsStatements.length).toBeGreaterThan(0);
    for (const s of kmsStatements) expect(JSON.stringify(s.Resource)).toContain('Fn::ImportValue');
    const dynamoResources = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:'))).flatMap((s) => [s.Resource].flat());
    expect(dynamoResources.length).toBeGreaterThan(0);
    // Every table ARN the role names is a table of its own stack (a Ref or GetAtt), never an import of another service's.
    for (const resource of dynamoResources) expect(arnText(resource)).not.toContain('ImportValue');
  });

  test('the key admits CloudWatch Logs of this account and EventBridge (to the event queues), and lets only AWS services create grants', () => {
    const statements = shared.findResources('AWS::KMS::Key')[keyId!].Properties.KeyPolicy.Statement as { Sid?: string; Principal?: { Service?: string } }[];
    expect(statements.some((s) => s.Sid === 'CloudWatchLogsOfThisAccount')).toBe(true);
    expect(statements.some((s) => s.Sid === 'GrantsOnlyForAwsServices')).toBe(true);
    expect(statements.some((s) => JSON.stringify(s.Principal ?? {}).includes('events.amazonaws.com'))).toBe(true);
  });
});

describe("serviceKeys: 'per-service'", () => {
  test('gives each service a key of its own, and makes no shared one', () => {
    const { templates } = synth({ ...DEV_PROFILE, serviceKeys: 'per-service' });
    for (const spec of services) expect({ service: spec.name, keys: keysOf(templates.get(`acme-dev-service-${spec.name}`)!).length }).toEqual({ service: spec.name, keys: 1 });
    expect(Object.keys(templates.get('acme-dev-shared')!.findResources('AWS::KMS::Alias'))).toEqual([]);
  });

  test('any other value fails before anything is made, naming the profile and the field', () => {
    const app = newApp();
    let error: unknown;
    try {
      addPlatformStacks(app, { platformName: 'acme', profile: { ...DEV_PROFILE, serviceKeys: 'each' as never }, services });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlatformSpecError);
    expect((error as Error).message).toMatch(/dev.*serviceKeys.*"each".*'shared' or 'per-service'/s);
    expect(app.node.findAll().filter((c) => c instanceof CfnResource)).toEqual([]);
  });
});
