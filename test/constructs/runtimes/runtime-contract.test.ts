import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { KubernetesServiceSpec, LambdaServiceSpec, FargateServiceSpec, ServiceSpec, ServiceSpecBase } from '../../../constructs/model/service-spec';
import { SERVICE_ENVIRONMENT } from '../../../constructs/model/service-contract';
import type { GatewayTarget } from '../../../constructs/gateway/edge-gateway';
import type { MonitoringTarget } from '../../../constructs/observability/monitoring-target';
import { MicroservicePlatform } from '../../../constructs/platform';
import type { DeployedService, RuntimeContext, ServiceRuntime } from '../../../constructs/runtimes/service-runtime';
import { catalog as catalogService } from '../../../services/catalog/service';
import { orders } from '../../../services/orders/service';
import { pricing } from '../../../services/pricing/service';
import { arnText, asList, newStack, statementsOfRole } from '../helpers';

/**
 * A runtime defined only here, outside the package: each spec becomes an inline Node.js function
 * with no VPC, registered through the public contract alone. It proves a user's runtime gets every
 * capability of the platform without a line of the package knowing it.
 */
interface EdgeFunctionSpec extends ServiceSpecBase {
  readonly runtime: 'edge-function';
  readonly edgeFunction: { readonly code: string };
}

class EdgeFunctionService extends Construct implements DeployedService {
  public readonly function: lambda.Function;
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly dataKey: kms.IKey;
  public readonly discoveryAttributes: Readonly<Record<string, string>>;
  public readonly gatewayTarget: GatewayTarget;
  public readonly invokeTarget: lambda.IFunction;
  public readonly logGroups: readonly logs.ILogGroup[] = [];
  public readonly eventHandlingTimeout = Duration.seconds(5);
  public readonly rollbackAlarms: cloudwatch.IAlarm[] = [];
  public readonly receivedQueues: sqs.IQueue[] = [];

  constructor(scope: Construct, public readonly spec: EdgeFunctionSpec, public readonly deployedName: string) {
    super(scope, spec.name);
    this.dataKey = new kms.Key(this, 'Key', { enableKeyRotation: true });
    this.function = new lambda.Function(this, 'Function', {
      functionName: deployedName,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(spec.edgeFunction.code),
      timeout: this.eventHandlingTimeout,
    });
    this.grantPrincipal = this.function.grantPrincipal;
    this.discoveryAttributes = { runtime: 'lambda', functionName: deployedName, functionArn: this.function.functionArn };
    this.gatewayTarget = { handler: this.function };
    this.invokeTarget = this.function;
  }

  public get monitoringTarget(): MonitoringTarget {
    const fn = this.function;
    return {
      monitor(facade, { spec, errorRateAlarm, period }) {
        const errors = fn.metricErrors({ period });
        facade.monitorCustom({ alarmFriendlyName: 'edge-errors', humanReadableName: `${spec.name} errors`, metricGroups: [{ title: 'Errors', metrics: [{ metric: errors, alarmFriendlyName: 'ErrorRate', addAlarm: errorRateAlarm }] }] });
        return [{ title: 'errors', metric: errors }];
      },
    };
  }

  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: this.deployedName }, statistic: 'Sum', ...props });
  }

  public addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }

  public allowCallsFrom(caller: DeployedService): void {
    this.function.grantInvoke(caller);
  }

  public receiveEvents(queue: sqs.IQueue): void {
    this.receivedQueues.push(queue);
    queue.grantConsumeMessages(this.function);
  }

  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.rollbackAlarms.push(alarm);
  }
}

const edgeFunctionRuntime: ServiceRuntime<EdgeFunctionSpec> = {
  name: 'edge-function',
  specFields: ['edgeFunction'],
  checkSpec(spec, report) {
    if (typeof spec.edgeFunction?.code !== 'string') report('edgeFunction.code', 'must be the inline code of the function');
  },
  bind: (context: RuntimeContext) => ({ deploy: (scope, spec) => new EdgeFunctionService(scope, spec, `${context.namePrefix}-${spec.name}`) }),
};

const greeter: EdgeFunctionSpec = {
  name: 'greeter',
  runtime: 'edge-function',
  routes: [{ route: 'GET /greetings/{name}' }],
  config: { greeting: 'hello' },
  calls: ['orders'],
  events: { consumes: ['OrderPlaced'] },
  edgeFunction: { code: 'exports.handler = async () => ({ statusCode: 200, body: "{}" })' },
};

/** The logical ID of a construct's resource in its stack. */
const logicalIdOf = (construct: Construct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as never);

describe('a runtime registered from outside the package', () => {
  let platform: MicroservicePlatform;
  let template: Template;
  let service: EdgeFunctionService;
  beforeAll(() => {
    const stack = newStack();
    const specs = [orders, greeter] as unknown as ServiceSpec[];
    platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: specs, runtimes: [edgeFunctionRuntime] });
    template = Template.fromStack(stack);
    service = platform.deployedServices.get('greeter') as EdgeFunctionService;
  });

  test('deploys its spec with its own construct', () => {
    expect(service).toBeInstanceOf(EdgeFunctionService);
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'shop-dev-greeter', Handler: 'index.handler' });
  });

  test('its route is a method of the edge REST API, behind the Cognito authorizer with its scope, invoking its function', () => {
    const method = platform.gateway!.methods.get('GET /greetings/{name}')!;
    const properties = template.findResources('AWS::ApiGateway::Method')[logicalIdOf(method)].Properties;
    expect(properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(properties.AuthorizationScopes.map(arnText)).toEqual([expect.stringMatching(/\/greeter\.read$/)]);
    expect(arnText(properties.Integration.Uri)).toContain(`\${${logicalIdOf(service.function)}.Arn}`);
  });

  test('it is registered in Cloud Map with the attributes its runtime gives, and finds exactly what it calls', () => {
    template.hasResourceProperties('AWS::ServiceDiscovery::Service', { Name: 'greeter' });
    template.hasResourceProperties('AWS::ServiceDiscovery::Instance', {
      InstanceAttributes: Match.objectLike({ runtime: 'lambda', functionName: 'shop-dev-greeter', routes: 'GET /greetings/{name}' }),
    });
    const fn = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'shop-dev-greeter' } });
    const variables = Object.values(fn)[0].Properties.Environment.Variables;
    expect(variables[SERVICE_ENVIRONMENT.discoveryNamespace]).toBeDefined();
    expect(variables[SERVICE_ENVIRONMENT.configPath]).toBe('/shop/dev/greeter');
  });

  test('it may invoke the live alias of the service it calls, and read its own config path', () => {
    const role = logicalIdOf(service.function.role as iam.Role);
    const statements = statementsOfRole(template, role);
    const invoke = statements.filter((s) => asList(s.Action).includes('lambda:InvokeFunction')).flatMap((s) => asList(s.Resource).map(arnText));
    expect(invoke).toEqual([expect.stringMatching(/ordersLiveAlias/)]);
    const byPath = statements.filter((s) => asList(s.Action).includes('ssm:GetParametersByPath')).flatMap((s) => asList(s.Resource).map(arnText));
    expect(byPath).toEqual([expect.stringMatching(/:parameter\/shop\/dev\/greeter$/)]);
  });

  test('it receives its consumed events through a queue of its own, fed by a rule for their type', () => {
    expect(service.receivedQueues).toHaveLength(1);
    expect(platform.eventConsumers.get('greeter')!.queue).toBe(service.receivedQueues[0]);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['OrderPlaced'] } });
  });

  test('it is monitored: a dashboard of its own, the alarm its target adds and the 5xx rate of its routes at the edge', () => {
    const monitoring = platform.monitoring.get('greeter')!;
    expect(monitoring.alarms.map((alarm) => alarm.alarmName).sort()).toEqual([expect.stringMatching(/^shop-dev-greeter-edge-errors-ErrorRate/), 'shop-dev-greeter-gateway-Gateway5xxRate-Critical']);
    expect(monitoring.dashboard).toBeDefined();
  });

  test('it is rolled back by its error alarm, which reads the errors its runtime counts', () => {
    const alarm = platform.rollbackAlarms.get('greeter')!;
    expect(service.rollbackAlarms).toEqual([alarm]);
    const properties = template.findResources('AWS::CloudWatch::Alarm')[logicalIdOf(alarm)].Properties;
    expect(properties).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: 'shop-dev-greeter' }], Threshold: 5 });
    expect(properties.AlarmActions).toEqual([{ Ref: logicalIdOf(platform.alerts.topic as never) }]);
  });

  test('its spec fields are checked: a spec the runtime does not know is refused naming its runtime', () => {
    const stack = newStack();
    expect(() => new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: [greeter as unknown as ServiceSpec] })).toThrow(/edge-function/);
  });
});

describe('every spec field on every runtime', () => {
  const publisher: FargateServiceSpec = { ...catalogService, name: 'listings', events: { publishes: ['ListingChanged'] } };
  const consumer: KubernetesServiceSpec = { ...pricing, name: 'search', events: { consumes: ['ListingChanged'] }, calls: ['orders'], featureFlags: { ranking: true } };
  let platform: MicroservicePlatform;
  let template: Template;
  beforeAll(() => {
    const stack = newStack();
    platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: [orders, publisher, consumer] });
    template = Template.fromStack(stack);
  });
  const roleOf = (name: string) => logicalIdOf(platform.deployedServices.get(name)!.grantPrincipal as iam.Role);
  const resourcesOf = (name: string, action: string) =>
    statementsOfRole(template, roleOf(name)).filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource).map(arnText));

  test('a fargate publisher may put events on the bus and is told its name', () => {
    expect(resourcesOf('listings', 'events:PutEvents')).toEqual([expect.stringMatching(/EventsBus/)]);
    const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
    const app = task.Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'app');
    expect(app.Environment).toEqual(expect.arrayContaining([{ Name: SERVICE_ENVIRONMENT.eventBusName, Value: expect.anything() }]));
  });

  test('a kubernetes consumer gets a rule, a queue with a dead-letter queue, the right to consume it, and its URL', () => {
    const subscription = platform.eventConsumers.get('search')!;
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['ListingChanged'] } });
    const queue = template.findResources('AWS::SQS::Queue')[logicalIdOf(subscription.queue)];
    expect(queue.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(subscription.deadLetterQueue), 'Arn'] });
    expect(resourcesOf('search', 'sqs:ReceiveMessage')).toEqual([`\${${logicalIdOf(subscription.queue)}.Arn}`]);
    const chart = platform.kubernetes!.charts.get('search')!;
    const deployment = chart.toJson().find((o: { kind: string }) => o.kind === 'Deployment');
    const env = deployment.spec.template.spec.containers.find((c: { name: string }) => c.name === 'search').env as { name: string; value: string }[];
    expect(env.map((e) => e.name)).toEqual(expect.arrayContaining([SERVICE_ENVIRONMENT.eventQueueUrl, SERVICE_ENVIRONMENT.discoveryNamespace, SERVICE_ENVIRONMENT.featureFlagsProfile, SERVICE_ENVIRONMENT.configPath]));
  });

  test('the applied kubernetes manifest carries the environment added after the chart was made', () => {
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).map((m) => JSON.stringify(m.Properties.Manifest));
    const search = manifests.find((m) => m.includes('\\"name\\":\\"search\\"') && m.includes('Deployment'))!;
    expect(search).toContain(SERVICE_ENVIRONMENT.eventQueueUrl);
    expect(search).toContain(SERVICE_ENVIRONMENT.featureFlagsApplication);
  });

  test('a kubernetes caller of a Lambda service may invoke its live alias, and may read its own flags', () => {
    expect(resourcesOf('search', 'lambda:InvokeFunction')).toEqual([expect.stringMatching(/ordersLiveAlias/)]);
    expect(resourcesOf('search', 'appconfig:GetLatestConfiguration')).toHaveLength(1);
  });
});

describe('catalogs whose derived construct ids used to collide', () => {
  const lambdaService = (name: string, extra: Partial<LambdaServiceSpec> = {}): LambdaServiceSpec => ({ name, runtime: 'lambda', lambda: { entry: orders.lambda.entry }, ...extra });
  test.each([
    ['a service beside one named after its rollback alarm and canary', [lambdaService('alpha'), lambdaService('alpha-errors'), lambdaService('alpha-canary')]],
    ['a service named like a saga construct', [lambdaService('saga-place-order')]],
    ['config keys whose joined ids are equal', [lambdaService('ab', { config: { 'c-d': '1' } }), lambdaService('ab-c', { config: { d: '2' } })]],
  ])('%s synthesizes', (_label, services) => {
    const stack = newStack();
    new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});
