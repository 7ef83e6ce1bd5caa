import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { LambdaMicroservice, LambdaMicroserviceProps } from '../../../constructs/compute/lambda-microservice';
import { ConfigStore } from '../../../constructs/config/config-store';
import { ServiceRegistry } from '../../../constructs/discovery/service-registry';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { orders } from '../../../services/orders/service';
import { asList, logicalIds, newStack, statementsOfRole } from '../helpers';

function build(spec: ServiceSpec, options: { config?: boolean; registry?: boolean; retainData?: boolean; openTelemetry?: boolean } = {}) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const props: LambdaMicroserviceProps = {
    spec,
    platformName: 'shop',
    environmentName: 'dev',
    vpc,
    retainData: options.retainData,
    openTelemetry: options.openTelemetry,
    config: options.config === false ? undefined : new ConfigStore(stack, 'Config', { platformName: 'shop', environmentName: 'dev', services: [spec] }),
    registry: options.registry === false ? undefined : new ServiceRegistry(stack, 'Registry', { vpc, httpNamespaceName: 'shop-dev', dnsNamespaceName: 'dev.shop.internal' }),
  };
  return { stack, service: new LambdaMicroservice(stack, 'Orders', props) };
}

describe('LambdaMicroservice from the orders spec', () => {
  let template: Template;
  let stack: Stack;
  let fn: string;
  let table: string;
  beforeAll(() => {
    ({ stack } = build(orders));
    template = Template.fromStack(stack);
    [fn] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: 'shop-dev-orders' });
    [table] = logicalIds(template, 'AWS::DynamoDB::Table');
  });

  test('runs on nodejs24.x with active tracing, the spec memory and timeout, inside the VPC', () => {
    expect(fn).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'shop-dev-orders',
      Runtime: 'nodejs24.x',
      TracingConfig: { Mode: 'Active' },
      MemorySize: orders.lambda!.memoryMiB,
      Timeout: orders.lambda!.timeoutSeconds,
      ReservedConcurrentExecutions: orders.scaling!.max,
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
    });
  });

  test('is told its table and config path', () => {
    const env = template.findResources('AWS::Lambda::Function')[fn].Properties.Environment.Variables;
    expect(env.TABLE_NAME).toEqual({ Ref: table });
    expect(env.CONFIG_PATH).toBe('/shop/dev/orders');
  });

  test('owns a table with point-in-time recovery, KMS encryption and TTL, unprotected when data is not retained', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key');
    const resource = template.findResources('AWS::DynamoDB::Table')[table];
    expect(resource.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } },
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
    expect(resource.Properties.DeletionProtectionEnabled).not.toBe(true);
    expect(resource.DeletionPolicy).toBe('Delete');
  });

  test('protects and retains the table when retainData is true', () => {
    const retained = Template.fromStack(build(orders, { retainData: true }).stack);
    const [resource] = Object.values(retained.findResources('AWS::DynamoDB::Table'));
    expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  test('logs to an encrypted /aws/lambda/shop-dev-orders group the function uses', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key');
    const [group] = logicalIds(template, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/shop-dev-orders' });
    expect(group).toBeDefined();
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/shop-dev-orders', KmsKeyId: { 'Fn::GetAtt': [key, 'Arn'] }, RetentionInDays: 365 });
    expect(template.findResources('AWS::Lambda::Function')[fn].Properties.LoggingConfig).toMatchObject({ LogGroup: { Ref: group }, LogFormat: 'JSON' });
  });

  test('sends failed async invocations to its encrypted failure queue', () => {
    const [queue] = logicalIds(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });

  test('its role has no managed policies', () => {
    const roleRef = template.findResources('AWS::Lambda::Function')[fn].Properties.Role;
    const roleId = roleRef['Fn::GetAtt'][0];
    const role = template.findResources('AWS::IAM::Role')[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const r of Object.values(template.findResources('AWS::IAM::Role'))) expect(r.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('its DynamoDB permissions cover only its own table', () => {
    const roleId = template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0];
    const dynamo = statementsOfRole(template, roleId).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      expect(asList(statement.Action).every((a) => a.startsWith('dynamodb:'))).toBe(true);
      expect(asList(statement.Resource)).toEqual([{ 'Fn::GetAtt': [table, 'Arn'] }]);
    }
    const actions = dynamo.flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:*');
  });

  test('registers in Cloud Map with its function ARN', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'orders' });
    template.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
      InstanceAttributes: { runtime: 'lambda', functionName: 'shop-dev-orders', functionArn: { 'Fn::GetAtt': [fn, 'Arn'] }, routes: 'POST /orders,GET /orders/{id}' },
    });
  });

  test('may not discover others when it calls no one', () => {
    const roleId = template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0];
    expect(statementsOfRole(template, roleId).flatMap((s) => asList(s.Action)).some((a) => a.startsWith('servicediscovery:'))).toBe(false);
  });
});

describe('LambdaMicroservice with OpenTelemetry', () => {
  test('adds the ADOT Node.js layer and its handler wrapper only when asked', () => {
    const withOtel = Template.fromStack(build(orders, { openTelemetry: true }).stack).findResources('AWS::Lambda::Function');
    const [fnWith] = Object.values(withOtel);
    expect(JSON.stringify(fnWith.Properties.Layers)).toMatch(/layer:aws-otel-nodejs-arm64/);
    expect(fnWith.Properties.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBe('/opt/otel-handler');

    const [fnWithout] = Object.values(Template.fromStack(build(orders).stack).findResources('AWS::Lambda::Function'));
    expect(fnWithout.Properties.Layers).toBeUndefined();
    expect(fnWithout.Properties.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
  });
});

describe('LambdaMicroservice rejects what it cannot build', () => {
  const fargate: ServiceSpec = {
    name: 'carts',
    runtime: 'fargate',
    container: { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', dockerfileDirectory: '/app' },
  };

  test('a fargate spec', () => {
    expect(() => build(fargate)).toThrow(/Test\/Orders: prop 'spec' describes 'carts' with runtime 'fargate'/);
  });

  test('a spec with config but no config store', () => {
    expect(() => build(orders, { config: false })).toThrow(/Test\/Orders: prop 'config' is missing/);
  });

  test('a spec that calls others but has no registry', () => {
    const caller: ServiceSpec = { name: 'checkout', runtime: 'lambda', lambda: { entry: orders.lambda!.entry }, calls: ['orders'] };
    expect(() => build(caller, { config: false, registry: false })).toThrow(/Test\/Orders: prop 'registry' is missing, but service 'checkout' calls orders/);
  });
});
