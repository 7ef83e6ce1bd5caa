import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { ServiceSpec } from '../../../constructs/model/service-spec';
import { MicroservicePlatform } from '../../../constructs/platform';
import { DEV_PROFILE, PROD_PROFILE, PlatformProfile } from '../../../constructs/profile';
import { catalog } from '../../../services';
import { orders } from '../../../services/orders/service';
import { pricing } from '../../../services/pricing/service';
import { arnText, asList, logicalIds, newStack, statementsOfRole } from '../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resource = { [key: string]: any };

/** The whole platform in one stack, so references are plain Refs and GetAtts. */
function build(profile: PlatformProfile, services: readonly ServiceSpec[] = catalog): { template: Template; platform: MicroservicePlatform; stack: Stack } {
  const stack = newStack();
  const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services, profile });
  return { template: Template.fromStack(stack), platform, stack };
}

/** The Kubernetes objects the cluster applies (the manifests of its KubernetesResources), tokens shown as `${Id}`. */
function kubernetesObjects(template: Template): Resource[] {
  return Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r) => JSON.parse(arnText(r.Properties.Manifest)) as Resource[]);
}

/** OTLP in on loopback; traces to X-Ray; the request metrics as EMF into the service's metrics log group. */
function expectCollectorPipelines(config: Resource, metricsLogGroupId: string): void {
  expect(config.receivers.otlp.protocols.http.endpoint).toBe('127.0.0.1:4318');
  expect(config.service.pipelines.traces).toMatchObject({ receivers: ['otlp'], exporters: ['awsxray'] });
  expect(config.service.pipelines.metrics).toMatchObject({ receivers: ['otlp'], exporters: ['awsemf'] });
  expect(config.exporters.awsemf).toMatchObject({ namespace: 'shop', log_group_name: `\${${metricsLogGroupId}}` });
}

const idOf = (stack: Stack, logGroup: logs.ILogGroup) => stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup);
const only = (template: Template, type: string): [string, Resource] => {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0];
};

describe.each([
  ['dev', DEV_PROFILE],
  ['prod', PROD_PROFILE],
] as const)('observability of the demo catalog (%s)', (_name, profile) => {
  let template: Template;
  let platform: MicroservicePlatform;
  let stack: Stack;
  beforeAll(() => {
    ({ template, platform, stack } = build(profile));
  });

  test("every service log group, the pods' log group, the gateway access log and the EKS control-plane log feed the pipeline", () => {
    const [streamId] = only(template, 'AWS::KinesisFirehose::DeliveryStream');
    const subscriptionRoleId = stack.getLogicalId(platform.logs.subscriptionRole.node.defaultChild as never);
    const subscribed = Object.values(template.findResources('AWS::Logs::SubscriptionFilter')).map((filter) => {
      expect(filter.Properties.DestinationArn).toEqual({ 'Fn::GetAtt': [streamId, 'Arn'] });
      expect(filter.Properties.RoleArn).toEqual({ 'Fn::GetAtt': [subscriptionRoleId, 'Arn'] });
      expect(filter.Properties.FilterPattern).toBe('');
      return filter.Properties.LogGroupName.Ref as string;
    });
    const expected = [
      ...[...platform.lambdaServices.values()].map((s) => idOf(stack, s.logGroup)),
      ...[...platform.fargateServices.values()].map((s) => idOf(stack, s.logGroup)),
      idOf(stack, platform.clusterObservability!.applicationLogs),
      idOf(stack, platform.kubernetes!.controlPlaneLogs),
      idOf(stack, platform.gateway!.accessLogGroup),
    ];
    // Every Lambda and Fargate service of the catalog, the pods, the control plane and the gateway.
    expect(expected).toHaveLength(catalog.filter((spec) => spec.runtime !== 'kubernetes').length + 3);
    expect(subscribed.sort()).toEqual(expected.sort());
    // CloudWatch Logs may put records into the stream, and only from log groups of this account and region.
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'logs.amazonaws.com' }, Condition: { StringLike: { 'aws:SourceArn': Match.anyValue() } } })] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [streamId, 'Arn'] }, Sid: 'PutIntoStream' }] },
    });
  });

  test('Firehose delivers to the domain inside the VPC, a new index a day, and keeps every failed document in S3', () => {
    const [, stream] = only(template, 'AWS::KinesisFirehose::DeliveryStream');
    const [domainId] = only(template, 'AWS::OpenSearchService::Domain');
    const props = stream.Properties;
    expect(props.DeliveryStreamType).toBe('DirectPut');
    expect(props.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: expect.anything() });
    const destination = props.AmazonopensearchserviceDestinationConfiguration;
    expect(destination.DomainARN).toEqual({ 'Fn::GetAtt': [domainId, 'Arn'] });
    expect(destination.IndexName).toBe('logs');
    expect(destination.IndexRotationPeriod).toBe('OneDay');
    expect(destination.S3BackupMode).toBe('FailedDocumentsOnly');
    expect(destination.VpcConfiguration.SubnetIds.length).toBe(profile.logSearch.availabilityZones);
    expect(destination.ProcessingConfiguration).toEqual({
      Enabled: true,
      Processors: [
        { Type: 'Decompression', Parameters: [{ ParameterName: 'CompressionFormat', ParameterValue: 'GZIP' }] },
        { Type: 'CloudWatchLogProcessing', Parameters: [{ ParameterName: 'DataMessageExtraction', ParameterValue: 'true' }] },
      ],
    });
    expect(destination.CloudWatchLoggingOptions.Enabled).toBe(true);

    const bucketId = destination.S3Configuration.BucketARN['Fn::GetAtt'][0] as string;
    const bucket = template.toJSON().Resources[bucketId].Properties;
    expect(destination.S3Configuration.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN).toBeDefined();
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ Status: 'Enabled', ExpirationInDays: 365 });
    expect(bucket.LoggingConfiguration.LogFilePrefix).toBe('failed-documents/');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    // The delivery role may write there, and reaches the domain only through its security group on 443.
    const roleArn = destination.RoleARN['Fn::GetAtt'][0] as string;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleArn))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements.find((s) => s.Sid === 'BackUpFailedDocuments')?.Action).toContain('s3:PutObject');
    const deliveryGroup = destination.VpcConfiguration.SecurityGroupIds[0]['Fn::GetAtt'][0] as string;
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [deliveryGroup, 'GroupId'] } });
  });

  test('the domain keeps the settings of the profile, and encryption, TLS 1.2, access control and its own logs in every profile', () => {
    const [, domain] = only(template, 'AWS::OpenSearchService::Domain');
    const p = domain.Properties;
    const ha = profile.logSearch.availabilityZones === 3;
    expect(p.ClusterConfig).toMatchObject({
      InstanceCount: profile.logSearch.dataNodes,
      InstanceType: profile.logSearch.dataNodeInstanceType,
      ZoneAwarenessEnabled: ha,
      DedicatedMasterEnabled: ha,
    });
    if (ha) expect(p.ClusterConfig).toMatchObject({ ZoneAwarenessConfig: { AvailabilityZoneCount: 3 }, DedicatedMasterCount: 3 });
    expect(p.VPCOptions.SubnetIds).toHaveLength(profile.logSearch.availabilityZones);
    expect(p.EncryptionAtRestOptions).toEqual({ Enabled: true, KmsKeyId: { Ref: stack.getLogicalId(platform.logs.encryptionKey.key.node.defaultChild as never) } });
    expect(p.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(p.DomainEndpointOptions).toEqual({ EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' });
    expect(p.AdvancedSecurityOptions).toMatchObject({ Enabled: true, InternalUserDatabaseEnabled: false, MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [stack.getLogicalId(platform.logs.masterRole.node.defaultChild as never), 'Arn'] } } });
    expect(p.CognitoOptions).toMatchObject({ Enabled: true });
    expect(Object.keys(p.LogPublishingOptions).sort()).toEqual(['AUDIT_LOGS', 'ES_APPLICATION_LOGS', 'INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS']);
    for (const option of Object.values<{ Enabled: boolean; CloudWatchLogsLogGroupArn: unknown }>(p.LogPublishingOptions)) {
      expect(option.Enabled).toBe(true);
      const groupId = (option.CloudWatchLogsLogGroupArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
      expect(template.toJSON().Resources[groupId].Properties.KmsKeyId).toBeDefined();
    }
    // Signed requests from this account only; fine-grained access control decides the rest.
    expect(p.AccessPolicies.Statement).toEqual([expect.objectContaining({ Effect: 'Allow', Principal: { AWS: expect.anything() }, Action: 'es:ESHttp*' })]);
    expect(JSON.stringify(p.AccessPolicies.Statement[0].Principal)).toContain(':root');
  });

  test('a function in the VPC, running as the master user, maps Firehose and the operators and sets the template and retention at deploy time', () => {
    const roleArn = (role: { node: { defaultChild?: unknown } }) => ({ 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as never), 'Arn'] });
    const [, setup] = only(template, 'Custom::LogDomainSetup');
    const [domainId] = only(template, 'AWS::OpenSearchService::Domain');
    expect(setup.Properties).toMatchObject({
      DomainUrl: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [domainId, 'DomainEndpoint'] }]] },
      IndexPrefix: 'logs',
      RetentionDays: String(profile.logSearch.indexRetentionDays),
      WriterRoleArn: roleArn(platform.logs.deliveryRole),
      AdminRoleArns: [roleArn(platform.logs.masterRole), roleArn(platform.logs.operatorRole)],
    });
    const functionId = stack.getLogicalId(platform.logs.setup.function.node.defaultChild as never);
    expect(setup.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    const fn = template.toJSON().Resources[functionId].Properties;
    expect(fn.Role).toEqual(roleArn(platform.logs.masterRole));
    expect(fn.VpcConfig.SubnetIds).toHaveLength(profile.logSearch.availabilityZones);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    const functionGroup = fn.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [functionGroup, 'GroupId'] } });
    // Firehose starts once its role is mapped inside the domain.
    const [, stream] = only(template, 'AWS::KinesisFirehose::DeliveryStream');
    expect(stream.DependsOn).toEqual(expect.arrayContaining([stack.getLogicalId(platform.logs.setup.resource.node.defaultChild as never)]));
  });

  test('the pods of kubernetes services ship their logs and Container Insights through the CloudWatch add-on, into encrypted log groups made first', () => {
    const clusterObservability = platform.clusterObservability!;
    const addon = template.toJSON().Resources[stack.getLogicalId(clusterObservability.addon)];
    expect(addon.Properties).toMatchObject({
      AddonName: 'amazon-cloudwatch-observability',
      ClusterName: { Ref: stack.getLogicalId(platform.kubernetes!.cluster.node.defaultChild as never) },
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(clusterObservability.role.node.defaultChild as never), 'Arn'] } }],
    });
    const clusterId = stack.getLogicalId(platform.kubernetes!.cluster.node.defaultChild as never);
    for (const [kind, group] of Object.entries(clusterObservability.logGroups)) {
      const id = idOf(stack, group);
      expect(addon.DependsOn).toContain(id);
      expect(template.toJSON().Resources[id].Properties).toMatchObject({
        LogGroupName: { 'Fn::Join': ['', ['/aws/containerinsights/', { Ref: clusterId }, `/${kind}`]] },
        KmsKeyId: expect.anything(),
        RetentionInDays: expect.any(Number),
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `shop-${profile.name}-pricing-pods-CpuSaturation-Critical`,
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'ContainerInsights', MetricName: 'pod_cpu_utilization' }) }) })]),
    });
  });

  test('Dashboards sign-in goes through an identity pool that admits signed-in operators only', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: false });
    template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolName: `shop-${profile.name}-logs-operators`, MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'opensearchservice.amazonaws.com' } })] },
    });
  });

  test('the gateway stage and every service function are traced; containers trace through the collector', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    for (const service of platform.lambdaServices.values()) {
      const fn = template.toJSON().Resources[stack.getLogicalId(service.function.node.defaultChild as never)];
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    template.hasResourceProperties('AWS::XRay::SamplingRule', { SamplingRule: { FixedRate: profile.traceSampleRate, ServiceName: `shop-${profile.name}-*` } });
    for (const [name, service] of platform.fargateServices) {
      const task = template.toJSON().Resources[stack.getLogicalId(service.taskDefinition.node.defaultChild as never)];
      const app = task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === 'app');
      expect(app.Environment).toContainEqual({ Name: 'OTEL_SERVICE_NAME', Value: `shop-${profile.name}-${name}` });
      expect(app.Environment).toEqual(expect.arrayContaining([
        { Name: 'OTEL_TRACES_SAMPLER', Value: 'parentbased_traceidratio' },
        { Name: 'OTEL_TRACES_SAMPLER_ARG', Value: String(profile.traceSampleRate) },
      ]));
      const collector = task.Properties.ContainerDefinitions.find((c: Resource) => c.Name === 'otel-collector');
      const config = JSON.parse(arnText(collector.Environment.find((e: Resource) => e.Name === 'AOT_CONFIG_CONTENT').Value));
      expectCollectorPipelines(config, idOf(stack, service.metricsLogGroup));
    }
    for (const [name, telemetry] of platform.kubernetes!.telemetry) {
      const deployment = kubernetesObjects(template).find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
      const pod = deployment.spec.template.spec;
      const app = pod.containers.find((c: Resource) => c.name === name);
      const env = Object.fromEntries(app.env.map((e: Resource) => [e.name, e.value]));
      expect(env).toMatchObject({
        OTEL_SERVICE_NAME: `shop-${profile.name}-${name}`,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: String(profile.traceSampleRate),
      });
      expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain(`deployment.environment=${profile.name}`);
      // The collector is a native sidecar: an init container that keeps running beside the app.
      const [collector] = pod.initContainers;
      expect(collector).toMatchObject({ name: 'otel-collector', restartPolicy: 'Always' });
      const config = JSON.parse(collector.env.find((e: Resource) => e.name === 'AOT_CONFIG_CONTENT').value);
      expectCollectorPipelines(config, idOf(stack, telemetry.metricsLogGroup));
      expect(config.exporters.awsemf.log_stream_name).toBe('otel-${env:POD_NAME}');
      expect(collector.env).toContainEqual({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      // The pod role may send traces and write the metrics log group's streams, nothing more of logs.
      const roleId = stack.getLogicalId(platform.kubernetes!.podRoles.get(name)!.node.defaultChild as never);
      const statements = statementsOfRole(template, roleId);
      expect(statements.find((st) => asList(st.Action).includes('xray:PutTraceSegments'))).toBeDefined();
      const logWrites = statements.filter((st) => asList(st.Action).some((a) => a.startsWith('logs:')));
      expect(logWrites.flatMap((st) => asList(st.Resource).map(arnText)).sort()).toEqual([
        `\${${idOf(stack, telemetry.metricsLogGroup)}.Arn}`,
        `\${${idOf(stack, telemetry.metricsLogGroup)}.Arn}:log-stream:*`,
      ]);
    }
  });

  test("a kubernetes service's error-rate and p99 alarms read the metrics its pods' collector writes", () => {
    for (const [name, telemetry] of platform.kubernetes!.telemetry) {
      const deployment = kubernetesObjects(template).find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
      const pod = deployment.spec.template.spec;
      const serviceName = pod.containers.find((c: Resource) => c.name === name).env.find((e: Resource) => e.name === 'OTEL_SERVICE_NAME').value;
      const emf = JSON.parse(pod.initContainers[0].env.find((e: Resource) => e.name === 'AOT_CONFIG_CONTENT').value).exporters.awsemf;
      const declared = emf.metric_declarations as { dimensions: string[][]; metric_name_selectors: string[] }[];
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => /-http-(ErrorRate|LatencyP99)-/.test(a.Properties.AlarmName) && a.Properties.AlarmName.startsWith(`shop-${profile.name}-${name}-`));
      expect(alarms).toHaveLength(2);
      for (const alarm of alarms) {
        const stats = (alarm.Properties.Metrics as Resource[]).filter((m) => m.MetricStat);
        expect(stats.length).toBeGreaterThan(0);
        for (const { MetricStat: stat } of stats) {
          // The namespace, name and dimensions are ones the collector writes: the same service name
          // as the pods report, a metric its declarations select, dimensions one of its sets.
          expect(stat.Metric.Namespace).toBe(emf.namespace);
          expect(stat.Metric.Namespace).toBe(telemetry.metricsNamespace);
          const dimensions = Object.fromEntries((stat.Metric.Dimensions as Resource[]).map((d) => [d.Name, d.Value]));
          expect(dimensions['service.name']).toBe(serviceName);
          const selected = declared.filter((d) => d.metric_name_selectors.some((re) => new RegExp(re).test(stat.Metric.MetricName)));
          expect(selected.length).toBeGreaterThan(0);
          expect(selected.some((d) => d.dimensions.some((set) => [...set].sort().join() === Object.keys(dimensions).sort().join()))).toBe(true);
        }
      }
    }
  });

  test('each service has its alarms (error rate, p99 latency, throttles or saturation, dead letters, gateway 5xx), each notifying the alert topic', () => {
    const topicId = stack.getLogicalId(platform.alerts.topic.node.defaultChild as never);
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.ActionsEnabled).not.toBe(false);
    }
    const names = alarms.map((a) => a.Properties.AlarmName as string | undefined).filter((n): n is string => n !== undefined);
    const prefix = `shop-${profile.name}`;
    const expectedByService: Record<string, RegExp[]> = {
      orders: [/-function-errors-ErrorRate-/, /-function-Latency-P99-/, /-function-Throttled-Count-/, /-gateway-Gateway5xxRate-/],
      catalog: [/-http-ErrorRate-/, /-http-LatencyP99-/, /-tasks-CPU-Usage-/, /-tasks-Memory-Usage-/, /-gateway-Gateway5xxRate-/],
      pricing: [/-http-ErrorRate-/, /-http-LatencyP99-/, /-pods-RunningPods-/, /-pods-CpuSaturation-/, /-pods-MemorySaturation-/, /-gateway-Gateway5xxRate-/],
    };
    for (const [service, patterns] of Object.entries(expectedByService)) {
      for (const pattern of patterns) {
        expect({ service, pattern: pattern.source, found: names.some((n) => n.startsWith(`${prefix}-${service}-`) && pattern.test(n)) }).toEqual({ service, pattern: pattern.source, found: true });
      }
    }
    expect(names).toEqual(expect.arrayContaining([`${prefix}-edge-gateway-Fault-Rate-Critical`, `${prefix}-edge-gateway-Latency-P99-Critical`]));

    // Every failure queue and dead-letter queue of a Lambda service has exactly one alarm on its depth.
    const queueAlarms = (queueId: string) =>
      alarms.filter((a) => JSON.stringify(a.Properties.Dimensions ?? a.Properties.Metrics ?? []).includes(JSON.stringify({ 'Fn::GetAtt': [queueId, 'QueueName'] })));
    for (const service of platform.lambdaServices.values()) {
      const queues = [service.failureQueue, ...(service.eventConsumer ? [service.eventConsumer.deadLetterQueue] : [])];
      for (const queue of queues) {
        const queueId = stack.getLogicalId(queue.node.defaultChild as never);
        expect({ service: service.spec.name, queue: queueId, alarms: queueAlarms(queueId).length }).toEqual({ service: service.spec.name, queue: queueId, alarms: 1 });
      }
    }
  });

  test('the alert topic is KMS-encrypted, refuses requests without TLS, and CloudWatch may use its key', () => {
    const [, topic] = only(template, 'AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const keyStatements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    expect(keyStatements).toContainEqual(expect.objectContaining({ Sid: 'CloudWatchAlarmsPublish', Principal: { Service: 'cloudwatch.amazonaws.com' } }));
  });

  test('one dashboard for all container services, one for all Lambda services, and one overview: none per service', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map((d) => d.Properties.DashboardName);
    expect(catalog.some((spec) => spec.runtime !== 'lambda')).toBe(true);
    expect(dashboards.sort()).toEqual([`shop-${profile.name}-container-services`, `shop-${profile.name}-lambda-services`, `shop-${profile.name}-overview`]);
  });
});

test('a service added to the catalog gets its subscription, its place on the Lambda services dashboard and alarms with no code of its own', () => {
  const billing: ServiceSpec = { ...orders, name: 'billing', routes: [{ route: 'GET /billing/{id}' }], table: undefined, config: undefined, monitoring: { errorRatePercent: 5, latencyP99Millis: 2000 } };
  const { template, platform, stack } = build(DEV_PROFILE, [orders, billing]);
  const logGroupId = idOf(stack, platform.lambdaServices.get('billing')!.logGroup);
  template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: { Ref: logGroupId } });
  // No dashboard of its own: the Lambda services dashboard's selector finds its function by the platform's prefix.
  template.resourcePropertiesCountIs('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-dev-billing' }, 0);
  template.resourcePropertiesCountIs('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-dev-lambda-services' }, 1);
  expect(platform.lambdaServices.get('billing')!.functionName).toBe('shop-dev-billing');
  const billingAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => String(a.Properties.AlarmName).startsWith('shop-dev-billing-'));
  // Error rate, p99 latency, throttles, gateway 5xx; its failure queue alarms on its own (messaging is wired), once.
  expect(billingAlarms.length).toBeGreaterThanOrEqual(4);
  const failureQueueId = stack.getLogicalId(platform.lambdaServices.get('billing')!.failureQueue.node.defaultChild as never);
  const queueAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
    JSON.stringify(a.Properties.Dimensions ?? a.Properties.Metrics ?? []).includes(JSON.stringify({ 'Fn::GetAtt': [failureQueueId, 'QueueName'] })),
  );
  expect(queueAlarms).toHaveLength(1);
  // Thresholds come from the spec.
  const latency = billingAlarms.find((a) => /Latency-P99/.test(a.Properties.AlarmName))!;
  expect(latency.Properties.Threshold).toBe(2000);
  const errorRate = billingAlarms.find((a) => /ErrorRate/.test(a.Properties.AlarmName))!;
  expect(errorRate.Properties.Threshold).toBe(5);
  // The gateway alarm sums the 5xx of the service's own routes only.
  const gateway = billingAlarms.find((a) => /Gateway5xxRate/.test(a.Properties.AlarmName))!;
  const resources = asList(gateway.Properties.Metrics as Resource[]).flatMap((m) => (m.MetricStat ? m.MetricStat.Metric.Dimensions.filter((d: Resource) => d.Name === 'Resource').map((d: Resource) => d.Value) : []));
  expect([...new Set(resources)]).toEqual(['/billing/{id}']);
  expect(logicalIds(template, 'AWS::KinesisFirehose::DeliveryStream')).toHaveLength(1);
});

test('a kubernetes service added to the catalog gets its collector, metrics log group, its place on the container services dashboard and request alarms with no code of its own', () => {
  const ratings: ServiceSpec = {
    name: 'ratings',
    runtime: 'kubernetes',
    routes: [{ route: 'GET /ratings/{productId}' }],
    monitoring: { errorRatePercent: 2, latencyP99Millis: 300 },
    // Pinned, so nothing is built; the Dockerfile directory of a service already in the catalog satisfies the check.
    container: { port: 3000, cpu: 100, memoryMiB: 128, healthCheckPath: '/healthz', dockerfileDirectory: pricing.container!.dockerfileDirectory, image: 'registry.example.com/ratings:1.0.0' },
  };
  const { template, platform, stack } = build(DEV_PROFILE, [orders, ratings]);
  const telemetry = platform.kubernetes!.telemetry.get('ratings')!;
  expect(telemetry.serviceName).toBe('shop-dev-ratings');
  template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/eks/shop-dev/shop/ratings/metrics' });
  const deployment = kubernetesObjects(template).find((o) => o.kind === 'Deployment' && o.metadata.name === 'ratings')!;
  expect(deployment.spec.template.spec.initContainers[0]).toMatchObject({ name: 'otel-collector', restartPolicy: 'Always' });
  const emf = JSON.parse(deployment.spec.template.spec.initContainers[0].env.find((e: Resource) => e.name === 'AOT_CONFIG_CONTENT').value).exporters.awsemf;
  expect(emf.log_group_name).toBe(`\${${idOf(stack, telemetry.metricsLogGroup)}}`);
  // Its place on the container services dashboard, which lists services by the name it reports under.
  template.resourceCountIs('AWS::CloudWatch::Dashboard', 3);
  template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop-dev-container-services' });
  expect(platform.sharedDashboards.has('container-services')).toBe(true);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) => String(a.Properties.AlarmName).startsWith('shop-dev-ratings-'));
  // Thresholds come from the spec.
  expect(alarms.find((a) => /-http-ErrorRate-/.test(a.Properties.AlarmName))!.Properties.Threshold).toBe(2);
  expect(alarms.find((a) => /-http-LatencyP99-/.test(a.Properties.AlarmName))!.Properties.Threshold).toBe(300);
  expect(alarms.some((a) => /-pods-RunningPods-/.test(a.Properties.AlarmName))).toBe(true);
});
