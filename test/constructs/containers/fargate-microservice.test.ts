import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { ConfigStore } from '../../../constructs/config/config-store';
import { FargateMicroservice, FargateMicroserviceProps } from '../../../constructs/containers/fargate-microservice';
import { PlatformCluster } from '../../../constructs/containers/platform-cluster';
import { ServiceRegistry } from '../../../constructs/discovery/service-registry';
import { SERVICE_ENVIRONMENT } from '../../../constructs/model/service-contract';
import { type FargateServiceSpec, type ServiceSpec, shutdownBudgetOf } from '../../../constructs/model/service-spec';
import { AccessLogBucket } from '../../../constructs/observability/access-log-bucket';
import { MicroservicePlatform } from '../../../constructs/platform';
import { DEV_PROFILE, PROD_PROFILE, PlatformProfile } from '../../../constructs/profile';
import { catalog as demoCatalog } from '../../../services';
import { catalog } from '../../../services/catalog/service';
import { arnText, asList, logicalIds, newStack, statementsOfRole } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };

/**
 * The whole platform in one stack, so references are plain Refs and GetAtts; without its kubernetes
 * services, whose cluster and load balancer test/kubernetes covers (one load balancer here is the catalog's).
 */
function platformTemplate(profile: PlatformProfile, services: readonly ServiceSpec[] = demoCatalog): { template: Template; platform: MicroservicePlatform } {
  const stack = newStack();
  const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: services.filter((spec) => spec.runtime !== 'kubernetes'), profile });
  return { template: Template.fromStack(stack), platform };
}

const one = (template: Template, type: string, props?: Record<string, unknown>): [string, Resource] => {
  const found = Object.entries(template.findResources(type, props ? { Properties: props } : undefined));
  expect(found).toHaveLength(1);
  return found[0];
};

describe('the catalog on Fargate, through MicroservicePlatform (dev)', () => {
  let template: Template;
  let platform: MicroservicePlatform;
  let task: Resource;
  let service: Resource;
  let loadBalancerId: string;
  let taskRoleId: string;
  beforeAll(() => {
    ({ template, platform } = platformTemplate(DEV_PROFILE));
    [, task] = one(template, 'AWS::ECS::TaskDefinition');
    [, service] = one(template, 'AWS::ECS::Service');
    [loadBalancerId] = one(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    taskRoleId = task.Properties.TaskRoleArn['Fn::GetAtt'][0];
  });
  const catalogTableId = () => Stack.of(platform).getLogicalId(platform.fargateServices.get('catalog')!.table!.node.defaultChild as CfnElement);
  const containerNamed = (name: string) => task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === name);

  test('a cluster with Container Insights and both Fargate capacity providers; dev may use Spot, with an on-demand base', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'shop-dev', ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }] });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']) });
    expect(service.Properties.CapacityProviderStrategy).toEqual([
      { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 2 },
    ]);
  });

  test('the task runs the spec\'s CPU and memory on arm64 in awsvpc mode, with the app and an OpenTelemetry collector, no X-Ray daemon', () => {
    expect(task.Properties).toMatchObject({
      Cpu: String(catalog.container!.cpu),
      Memory: String(catalog.container!.memoryMiB),
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    const names = task.Properties.ContainerDefinitions.map((c: Resource) => c.Name).sort();
    expect(names).toEqual(['app', 'otel-collector']);
    expect(containerNamed('otel-collector').Image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/);
    expect(JSON.stringify(task)).not.toMatch(/xray-daemon/);
  });

  test('every container is non-root, has a read-only root filesystem with a writable /tmp volume, a memory limit and a health check', () => {
    for (const container of task.Properties.ContainerDefinitions) {
      expect(container.User).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(container.Memory).toBeGreaterThan(0);
      expect(container.HealthCheck.Command[0]).toBe('CMD');
      const tmp = container.MountPoints.find((m: Resource) => m.ContainerPath === '/tmp');
      expect(tmp).toMatchObject({ ReadOnly: false });
      expect(task.Properties.Volumes.map((v: Resource) => v.Name)).toContain(tmp.SourceVolume);
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    }
    const app = containerNamed('app');
    expect(app.HealthCheck.Command.join(' ')).toContain(`http://127.0.0.1:${catalog.container!.port}${catalog.container!.healthCheckPath}`);
    expect(app.Memory + containerNamed('otel-collector').Memory).toBe(catalog.container!.memoryMiB);
  });

  test('the app is given its port, table, config path, pre-stop and drain time, and nothing secret', () => {
    const env = Object.fromEntries(containerNamed('app').Environment.map((e: Resource) => [e.Name, e.Value]));
    const table = catalogTableId();
    expect(env).toMatchObject({
      PORT: String(catalog.container!.port),
      TABLE_NAME: { Ref: table },
      CONFIG_PATH: '/shop/dev/catalog',
      DRAIN_SECONDS: String(catalog.container!.drainSeconds),
      // ECS has no preStop hook: the process itself keeps serving for the pre-stop interval after SIGTERM.
      [SERVICE_ENVIRONMENT.preStopSeconds]: String(shutdownBudgetOf(catalog.container!).preStopSeconds),
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
  });

  test('the shutdown budget is applied: stop timeout covers pre-stop and drain, deregistration delay lies between them', () => {
    const budget = shutdownBudgetOf(catalog.container!);
    expect(budget.preStopSeconds).toBeGreaterThan(0);
    const serving = budget.preStopSeconds + budget.drainSeconds;
    const stopTimeout = containerNamed('app').StopTimeout;
    expect(stopTimeout).toBe(budget.stopTimeoutSeconds);
    expect(stopTimeout).toBeGreaterThanOrEqual(serving + 2);
    const groups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups).toHaveLength(2);
    for (const targetGroup of groups) {
      const delay = Number(targetGroup.Properties.TargetGroupAttributes.find((a: Resource) => a.Key === 'deregistration_delay.timeout_seconds').Value);
      expect(delay).toBe(budget.deregistrationDelaySeconds);
      expect(delay).toBeGreaterThanOrEqual(serving);
      expect(delay).toBeLessThanOrEqual(stopTimeout);
    }
  });

  test('the service: private subnets, no public IP, circuit breaker with rollback, rebalanced across AZs', () => {
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(service.Properties.DeploymentConfiguration).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MinimumHealthyPercent: DEV_PROFILE.minHealthyPercent,
      MaximumPercent: 200,
    });
    expect(service.Properties.AvailabilityZoneRebalancing).toBe('ENABLED');
    expect(service.Properties.PlatformVersion).toBe('LATEST');
  });

  test('Service Connect in the DNS namespace, with request and idle timeouts, for container callers', () => {
    const [dnsNamespace] = logicalIds(template, 'AWS::ServiceDiscovery::PrivateDnsNamespace');
    expect(service.Properties.ServiceConnectConfiguration).toMatchObject({
      Enabled: true,
      Namespace: { 'Fn::GetAtt': [dnsNamespace, 'Arn'] },
      Services: [{
        PortName: 'http',
        DiscoveryName: 'catalog',
        ClientAliases: [{ DnsName: 'catalog', Port: catalog.container!.port }],
        Timeout: { PerRequestTimeoutSeconds: 15, IdleTimeoutSeconds: 60 },
      }],
    });
  });

  test('registered by name in the HTTP namespace with its load balancer URL, for Lambda callers and the gateway', () => {
    const [httpNamespace] = logicalIds(template, 'AWS::ServiceDiscovery::HttpNamespace');
    const [registration] = logicalIds(template, 'AWS::ServiceDiscovery::Service', { Name: 'catalog', NamespaceId: { 'Fn::GetAtt': [httpNamespace, 'Id'] } });
    const [, instance] = one(template, 'AWS::ServiceDiscovery::Instance', { ServiceId: { 'Fn::GetAtt': [registration, 'Id'] } });
    expect(instance.Properties.InstanceAttributes).toMatchObject({
      runtime: 'fargate',
      serviceConnect: `http://catalog:${catalog.container!.port}`,
    });
    const port = platform.fargateServices.get('catalog')!.listenerPort;
    expect(port).toBeGreaterThanOrEqual(10000);
    expect(arnText(instance.Properties.InstanceAttributes.url)).toBe(`http://\${${loadBalancerId}.DNSName}:${port}`);
  });

  test('an internal load balancer with access logs, invalid headers dropped and strictest desync mitigation, health-checked targets', () => {
    const [, lb] = one(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb.Properties.Scheme).toBe('internal');
    const attributes = Object.fromEntries(lb.Properties.LoadBalancerAttributes.map((a: Resource) => [a.Key, a.Value]));
    expect(attributes).toMatchObject({
      'access_logs.s3.enabled': 'true',
      'access_logs.s3.prefix': 'shop/dev/containers-1',
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'routing.http.desync_mitigation_mode': 'strictest',
      'deletion_protection.enabled': 'false',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetType: 'ip',
      Port: catalog.container!.port,
      HealthCheckPath: catalog.container!.healthCheckPath,
      Matcher: { HttpCode: '200' },
    });
    expect(service.Properties.LoadBalancers).toEqual([expect.objectContaining({ ContainerName: 'app', ContainerPort: catalog.container!.port })]);
  });

  test('the load balancer lets in only the gateway VPC link and the declared callers, on the service\'s port, and the tasks only the load balancer', () => {
    const [lbGroup] = logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('load balancer of the container services of shop-dev') });
    const [linkGroup] = logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('gateway VPC link') });
    const [taskGroup] = logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('catalog tasks') });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    const into = (group: string) => ingress.filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [group, 'GroupId'] }));
    const callers = ['bff-web', 'bff-mobile'].map((name) => logicalIds(template, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp(`shop-dev-${name}:`) })[0]);
    expect(into(lbGroup).map((r) => r.SourceSecurityGroupId)).toEqual([linkGroup, ...callers].map((group) => ({ 'Fn::GetAtt': [group, 'GroupId'] })));
    const port = platform.fargateServices.get('catalog')!.listenerPort;
    expect(into(lbGroup).map((r) => [r.FromPort, r.ToPort])).toEqual([[port, port], [port, port], [port, port]]);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port, Protocol: 'HTTP' });
    expect(into(taskGroup).map((r) => [r.SourceSecurityGroupId, r.FromPort])).toEqual([[{ 'Fn::GetAtt': [lbGroup, 'GroupId'] }, catalog.container!.port]]);
    const lbGroupProps = template.findResources('AWS::EC2::SecurityGroup')[lbGroup].Properties;
    expect(JSON.stringify(lbGroupProps.SecurityGroupIngress ?? [])).not.toContain('0.0.0.0/0');
  });

  test('scales between the spec\'s bounds on CPU and on requests per running task (metric math, as blue/green moves production between target groups)', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: catalog.scaling!.min, MaxCapacity: catalog.scaling!.max, ScalableDimension: 'ecs:service:DesiredCount' });
    const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(policies).toHaveLength(2);
    expect(policies).toContainEqual(expect.objectContaining({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60 }));
    const requests = policies.find((p) => p.CustomizedMetricSpecification)!;
    expect(requests.TargetValue).toBe(1000);
    const metrics = requests.CustomizedMetricSpecification.Metrics;
    // The requests of both target groups: the load balancer is shared, and blue/green moves the tasks between the two.
    const [blue, green] = service.Properties.LoadBalancers.flatMap((lb: Resource) => [lb.TargetGroupArn, lb.AdvancedConfiguration.AlternateTargetGroupArn]).map((ref: Resource) => ref.Ref);
    for (const [id, group] of [['requests0', blue], ['requests1', green]]) {
      expect(metrics.find((m: Resource) => m.Id === id).MetricStat).toMatchObject({
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCount',
          Dimensions: [{ Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [loadBalancerId, 'LoadBalancerFullName'] } }, { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [group, 'TargetGroupFullName'] } }],
        },
        Stat: 'Sum',
      });
    }
    expect(metrics.find((m: Resource) => m.Id === 'tasks').MetricStat.Metric).toMatchObject({ Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' });
    expect(metrics.find((m: Resource) => m.ReturnData === true)).toMatchObject({ Expression: '(FILL(requests0, 0) + FILL(requests1, 0)) / MAX([tasks, 1])' });
  });

  test('rolls out blue/green with ECS\'s native strategy: bake time, the alternate target group behind the production rule, rollback on alarms', () => {
    const groups = logicalIds(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    const [rule] = logicalIds(template, 'AWS::ElasticLoadBalancingV2::ListenerRule', { Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }] });
    const config = service.Properties.DeploymentConfiguration;
    expect(config).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 5, DeploymentCircuitBreaker: { Enable: true, Rollback: true } });
    expect(config.Alarms).toMatchObject({ Enable: true, Rollback: true });
    const [alarm] = logicalIds(template, 'AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('shop-dev-catalog.*5xx') });
    expect(config.Alarms.AlarmNames).toEqual([{ Ref: alarm }]);
    const [loadBalancer] = service.Properties.LoadBalancers;
    expect(loadBalancer.AdvancedConfiguration).toMatchObject({ ProductionListenerRule: { Ref: rule } });
    expect(groups).toEqual(expect.arrayContaining([loadBalancer.TargetGroupArn.Ref, loadBalancer.AdvancedConfiguration.AlternateTargetGroupArn.Ref]));
    expect(loadBalancer.TargetGroupArn).not.toEqual(loadBalancer.AdvancedConfiguration.AlternateTargetGroupArn);
    // Requests that match no rule get a JSON 404 from the listener itself.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })] });
  });

  test('the task role reaches only its own table, key, config path, metrics log group, and X-Ray', () => {
    const statements = statementsOfRole(template, taskRoleId);
    const table = catalogTableId();
    const resources = statements.flatMap((s) => asList(s.Resource)).map(arnText);
    for (const resource of resources) {
      const allowed =
        resource === '*' ||
        resource.includes(`\${${table}.Arn}`) ||
        resource.includes(':parameter/shop/dev/catalog') ||
        /\$\{PlatformServiceKey[A-Za-z0-9]+\.Arn\}/.test(resource) ||
        /MetricsLogs/.test(resource);
      expect({ resource, allowed }).toEqual({ resource, allowed: true });
    }
    const starred = statements.filter((s) => asList(s.Resource).includes('*')).flatMap((s) => asList(s.Action));
    expect(starred.sort()).toEqual(['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions).not.toContain('dynamodb:*');
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).not.toContain('dynamodb:DeleteTable');
  });

  test('the gateway serves the catalog routes through a VPC link (V2) to the load balancer, under the Cognito authorizer', () => {
    const [link] = logicalIds(template, 'AWS::ApiGatewayV2::VpcLink');
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter((m) => m.Properties.Integration?.ConnectionType === 'VPC_LINK');
    expect(methods).toHaveLength(2);
    for (const method of methods) {
      expect(method.Properties).toMatchObject({ HttpMethod: 'GET', AuthorizationType: 'COGNITO_USER_POOLS', AuthorizationScopes: [expect.anything()] });
      expect(method.Properties.Integration).toMatchObject({
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'GET',
        ConnectionId: { Ref: link },
        IntegrationTarget: { Ref: loadBalancerId },
      });
    }
    const uris = methods.map((m) => arnText(m.Properties.Integration.Uri)).sort();
    const port = platform.fargateServices.get('catalog')!.listenerPort;
    expect(uris).toEqual([`http://\${${loadBalancerId}.DNSName}:${port}/products`, `http://\${${loadBalancerId}.DNSName}:${port}/products/{id}`]);
    const byId = methods.find((m) => arnText(m.Properties.Integration.Uri).endsWith('{id}'))!;
    expect(byId.Properties.Integration.RequestParameters).toEqual({ 'integration.request.path.id': 'method.request.path.id' });
    expect(platform.gateway!.methods.has('GET /products/{id}')).toBe(true);
  });

  test('an image repository per container service: scan on push, immutable tags, KMS, lifecycle rules', () => {
    const [, repository] = one(template, 'AWS::ECR::Repository');
    expect(repository.Properties).toMatchObject({
      RepositoryName: 'shop/dev/catalog',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      EncryptionConfiguration: { EncryptionType: 'KMS' },
    });
    const rules = JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.map((r: Resource) => r.selection.tagStatus)).toEqual(['untagged', 'any']);
    expect(platform.imageRepositories.get('catalog')).toBeDefined();
  });

  test('a Lambda service that calls the catalog is let in at the load balancer', () => {
    const { template: withCaller, platform: withCallerPlatform } = platformTemplate(DEV_PROFILE, [
      ...demoCatalog.filter((s) => s.name !== 'orders'),
      { ...demoCatalog.find((s) => s.name === 'orders')!, calls: ['catalog'] },
    ]);
    const callerGroup = Stack.of(withCallerPlatform).getLogicalId(withCallerPlatform.lambdaServices.get('orders')!.securityGroup.node.defaultChild as ec2.CfnSecurityGroup);
    const [lbGroup] = logicalIds(withCaller, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('load balancer of the container services') });
    const port = withCallerPlatform.fargateServices.get('catalog')!.listenerPort;
    withCaller.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [callerGroup, 'GroupId'] },
      FromPort: port,
      ToPort: port,
    });
  });

  test('the app image is an asset built from services/catalog/Dockerfile with the repository root as context', () => {
    const stack = newStack();
    new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: demoCatalog, profile: DEV_PROFILE });
    const assembly = App.of(stack)!.synth();
    const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${stack.artifactId}.assets.json`), 'utf8'));
    const images = (Object.values(assets.dockerImages) as Resource[]).filter((image) => image.displayName.startsWith('Platform/catalog/'));
    expect(images).toHaveLength(1);
    expect(images[0].source).toMatchObject({ dockerFile: 'services/catalog/Dockerfile', platform: 'linux/arm64' });
    // The context is the repository root, cut down by the root .dockerignore to what the Dockerfile copies.
    const context = path.join(assembly.directory, images[0].source.directory);
    expect(fs.readdirSync(context).sort()).toEqual(['.dockerignore', 'constructs', 'package-lock.json', 'package.json', 'runtime', 'services', 'tsconfig.json']);
    const appImage = JSON.stringify(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    expect(appImage).toContain(`container-assets-\${AWS::AccountId}-\${AWS::Region}:${images[0].source.directory.replace(/^asset\./, '')}`);
  });
});

describe('the catalog on Fargate (prod)', () => {
  let template: Template;
  beforeAll(() => ({ template } = platformTemplate(PROD_PROFILE)));

  test('runs on on-demand Fargate only, keeps every task healthy during deployments, protects its load balancer', () => {
    const [, service] = one(template, 'AWS::ECS::Service');
    expect(service.Properties.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE', Weight: 1 }]);
    expect(service.Properties.DeploymentConfiguration.MinimumHealthyPercent).toBe(100);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
  });
});

describe('FargateMicroservice rejects what it cannot build, naming the construct and field', () => {
  const build = (spec: ServiceSpec, extra: Partial<FargateMicroserviceProps> | ((stack: Stack) => Partial<FargateMicroserviceProps>) = {}) => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const registry = new ServiceRegistry(stack, 'Registry', { vpc, httpNamespaceName: 'shop-dev', dnsNamespaceName: 'dev.shop.internal' });
    return new FargateMicroservice(stack, 'Catalog', {
      spec: spec as FargateServiceSpec,
      platformName: 'shop',
      environmentName: 'dev',
      cluster: new PlatformCluster(stack, 'Cluster', { vpc, clusterName: 'shop-dev' }),
      registry,
      config: new ConfigStore(stack, 'Config', { platformName: 'shop', environmentName: 'dev', services: [spec] }),
      accessLogs: new AccessLogBucket(stack, 'AccessLogs'),
      ...(typeof extra === 'function' ? extra(stack) : extra),
    });
  };

  test('a fargate spec with no container settings', () => {
    const { container: _, ...bare } = catalog;
    expect(() => build(bare as ServiceSpec)).toThrow(/^Test\/Catalog: prop 'spec' describes 'catalog' with runtime 'fargate' and no container settings; a FargateMicroservice needs runtime 'fargate' with \{ container: \{ port, cpu, memoryMiB, healthCheckPath, dockerfileDirectory \} \}/);
  });

  test('a spec whose shutdown numbers do not line up', () => {
    const spec: ServiceSpec = { ...catalog, container: { ...catalog.container!, drainSeconds: 30, stopTimeoutSeconds: 20 } };
    expect(() => build(spec)).toThrow(/Test\/Catalog: prop 'spec' is not valid:\n.*service 'catalog', field 'container.stopTimeoutSeconds': 20 s does not cover the drain/s);
  });

  test('a lambda spec', () => {
    const spec: ServiceSpec = { name: 'orders', runtime: 'lambda', lambda: { entry: __filename } };
    expect(() => build(spec)).toThrow(/Test\/Catalog: prop 'spec' describes 'orders' with runtime 'lambda'/);
  });

  test('a pinned image in the spec is used as it is, with no asset to build', () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/dev/catalog@sha256:' + 'a'.repeat(64);
    const service = build({ ...catalog, container: { ...catalog.container!, image } });
    const app = Template.fromStack(Stack.of(service)).findResources('AWS::ECS::TaskDefinition');
    const [task] = Object.values(app);
    expect(task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === 'app').Image).toBe(image);
  });

  test('a rolling service scales on requests per target too, and watches no alarms until given one', () => {
    const service = build(catalog, { deploymentStrategy: 'rolling' });
    const template = Template.fromStack(Stack.of(service));
    const [, ecsService] = one(template, 'AWS::ECS::Service');
    expect(ecsService.Properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(ecsService.Properties.DeploymentConfiguration.Alarms).toBeUndefined();
    expect(ecsService.Properties.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }) }),
    });
  });

  test('a blue/green service takes its requests-per-task goal from the spec', () => {
    const service = build({ ...catalog, scaling: { min: 2, max: 4, requestsPerTargetPerMinute: 500 } });
    const policies = Object.values(Template.fromStack(Stack.of(service)).findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(policies.find((p) => p.CustomizedMetricSpecification)!.TargetValue).toBe(500);
  });

  test('a bake time that is not whole minutes', () => {
    expect(() => build(catalog, { bakeTime: Duration.seconds(90) })).toThrow(/Test\/Catalog: prop 'bakeTime' is 1 minute 30 seconds; expected whole minutes/);
  });

  test('an image from a repository and tag, as the delivery pipeline pushes it', () => {
    const service = build(catalog, (stack) => ({ image: { repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'shop/dev/catalog'), tag: 'abc123' } }));
    const [task] = Object.values(Template.fromStack(Stack.of(service)).findResources('AWS::ECS::TaskDefinition'));
    expect(JSON.stringify(task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === 'app').Image)).toContain('/shop/dev/catalog:abc123');
  });

  test('a min healthy percent out of range', () => {
    expect(() => build(catalog, { minHealthyPercent: 150 })).toThrow(/Test\/Catalog: prop 'minHealthyPercent' is 150/);
  });

  test('a service whose names would be too long for a load balancer', () => {
    expect(() => build({ ...catalog, name: 'catalog-with-a-long-name' })).toThrow(/Test\/Catalog: prop 'spec' is not valid:\n.*service 'catalog-with-a-long-name', field 'name': makes the load balancer name 'shop-dev-catalog-with-a-long-name' 33 characters long; Elastic Load Balancing allows at most 32/s);
  });

  test('through the platform: a fargate spec without a container fails synth with the service and field', () => {
    const { container: _, ...bare } = catalog;
    expect(() => platformTemplate(DEV_PROFILE, [...demoCatalog.filter((s) => s.name !== 'catalog'), bare as ServiceSpec])).toThrow(
      /service 'catalog', field 'container': is required for the fargate runtime/,
    );
  });
});
