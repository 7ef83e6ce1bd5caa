import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { LambdaMicroservice, LambdaMicroserviceProps } from '../../../constructs/compute/lambda-microservice';
import { ConfigStore } from '../../../constructs/config/config-store';
import { EventBackbone } from '../../../constructs/messaging/event-backbone';
import { ServiceRegistry } from '../../../constructs/discovery/service-registry';
import type { LambdaServiceSpec, ServiceSpec } from '../../../constructs/model/service-spec';
import { orders } from '../../../services/orders/service';
import { asList, logicalIds, newStack, statementsOfRole } from '../helpers';

function build(spec: ServiceSpec | LambdaServiceSpec, options: { config?: boolean; registry?: boolean; retainData?: boolean; openTelemetry?: boolean; events?: boolean } = {}) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const eventBackbone = options.events === false ? undefined : new EventBackbone(stack, 'Events', { busName: 'shop-dev-events' });
  const props: LambdaMicroserviceProps = {
    spec: spec as LambdaServiceSpec,
    platformName: 'shop',
    environmentName: 'dev',
    vpc,
    retainData: options.retainData,
    openTelemetry: options.openTelemetry,
    eventBackbone,
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
    [table] = logicalIds(template, 'AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
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
    const [key] = logicalIds(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('shop-dev-orders') });
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

  test('protects and retains its tables when retainData is true', () => {
    const retained = Template.fromStack(build(orders, { retainData: true }).stack);
    const tables = Object.values(retained.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const resource of tables) {
      expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('logs to an encrypted /aws/lambda/shop-dev-orders group the function uses', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('shop-dev-orders') });
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

  test('its DynamoDB permissions cover only its own tables (ListStreams, which has no resource-level permission, aside)', () => {
    const roleId = template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0];
    const dynamo = statementsOfRole(template, roleId).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThan(0);
    const own = new Set(logicalIds(template, 'AWS::DynamoDB::Table'));
    for (const statement of dynamo) {
      expect(asList(statement.Action).every((a) => a.startsWith('dynamodb:'))).toBe(true);
      if (JSON.stringify(statement.Action) === '"dynamodb:ListStreams"') continue;
      // A table's ARN, stream ARN or `<arn>/index/*`.
      for (const resource of asList(statement.Resource)) expect(own.has(JSON.stringify(resource).match(/"Fn::GetAtt":\["(\w+)"/)?.[1] ?? '')).toBe(true);
    }
    const actions = dynamo.flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('dynamodb:*');
  });

  test('registers in Cloud Map with the ARN of its live alias', () => {
    const [alias] = logicalIds(template, 'AWS::Lambda::Alias', { Name: 'live', FunctionName: { Ref: fn } });
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'orders' });
    template.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
      InstanceAttributes: { runtime: 'lambda', functionName: 'shop-dev-orders', functionArn: { Ref: alias }, routes: 'POST /orders,GET /orders/{id},GET /customers/{customerId}/orders' },
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

  test('used on its own without a config store, registry or bus, it is left unwired for the caller to bind', () => {
    const caller: ServiceSpec = { name: 'checkout', runtime: 'lambda', lambda: { entry: orders.lambda!.entry }, calls: ['orders'], config: { a: 'b' }, events: { publishes: ['OrderPlaced'] } };
    const { stack } = build(caller, { config: false, registry: false, events: false });
    const template = Template.fromStack(stack);
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'shop-dev-checkout' } }));
    for (const name of ['CONFIG_PATH', 'DISCOVERY_NAMESPACE', 'EVENT_BUS_NAME']) expect(fn.Properties.Environment.Variables).not.toHaveProperty(name);
    const actions = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const action of ['ssm:GetParametersByPath', 'servicediscovery:DiscoverInstances', 'events:PutEvents']) expect(actions).not.toContain(action);
  });
});

describe('LambdaMicroservice with event sourcing and events', () => {
  let template: Template;
  let fn: string;
  beforeAll(() => {
    template = Template.fromStack(build(orders).stack);
    [fn] = logicalIds(template, 'AWS::Lambda::Function', { FunctionName: 'shop-dev-orders' });
  });

  test('keeps events in a store keyed by streamId and a number version, with a stream of new items, under its own key', () => {
    const [key] = logicalIds(template, 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('shop-dev-orders') });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'version', AttributeType: 'N' }]),
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } },
    });
  });

  test('keeps the read model in a table of its own with the spec\'s list index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'byCustomer', KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }, { AttributeName: 'createdAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('the store\'s stream feeds the live alias with partial batch responses, bisection, bounded retries and the failure queue', () => {
    const [store] = logicalIds(template, 'AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [queue] = logicalIds(template, 'AWS::SQS::Queue');
    const [alias] = logicalIds(template, 'AWS::Lambda::Alias', { Name: 'live', FunctionName: { Ref: fn } });
    const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    // The alias, named `<function>:live` (the function's name taken from the alias ARN).
    expect(JSON.stringify(mapping.Properties.FunctionName)).toContain(`{"Ref":"${alias}"}`);
    expect(mapping.Properties.FunctionName['Fn::Join'][1].at(-1)).toBe(':live');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [store, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });

  test('is told its event store, read model and bus, and may publish to that bus only', () => {
    const env = template.findResources('AWS::Lambda::Function')[fn].Properties.Environment.Variables;
    const [store] = logicalIds(template, 'AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [readModel] = logicalIds(template, 'AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] });
    const [bus] = logicalIds(template, 'AWS::Events::EventBus');
    expect(env).toMatchObject({ EVENT_STORE_TABLE_NAME: { Ref: store }, READ_MODEL_TABLE_NAME: { Ref: readModel }, EVENT_BUS_NAME: { Ref: bus } });
    const roleId = template.findResources('AWS::Lambda::Function')[fn].Properties.Role['Fn::GetAtt'][0];
    const publish = statementsOfRole(template, roleId).filter((s) => asList(s.Action).includes('events:PutEvents'));
    expect(publish.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [bus, 'Arn'] }]);
  });

  test('a service that consumes events gets its subscription: rule, queue with dead-letter queue, mapping', () => {
    const consumer: ServiceSpec = { name: 'inventory', runtime: 'lambda', lambda: { entry: orders.lambda!.entry, timeoutSeconds: 20 }, events: { consumes: ['OrderConfirmed'] } };
    const consuming = Template.fromStack(build(consumer, { config: false }).stack);
    consuming.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['OrderConfirmed'] } });
    consuming.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 120, RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    consuming.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  test('alarms on the backbone topic as soon as its failure queue holds a failed invocation or stream batch', () => {
    const [queue] = logicalIds(template, 'AWS::SQS::Queue');
    const [topic] = logicalIds(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [{ Ref: topic }],
    });
  });

});
