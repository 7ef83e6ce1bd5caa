import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ConfigStore } from '../../constructs/config/config-store';
import { KubernetesPlatform, KubernetesPlatformProps } from '../../constructs/kubernetes/kubernetes-platform';
import { ConstructPropError } from '../../constructs/model/errors';
import { type KubernetesServiceSpec, shutdownBudgetOf } from '../../constructs/model/service-spec';
import { MicroservicePlatform } from '../../constructs/platform';
import { orders } from '../../services/orders/service';
import { pricing } from '../../services/pricing/service';
import { arnText, asList, logicalIds, newApp, newStack, statementsOfRole } from '../constructs/helpers';

// A second kubernetes service with a table, a secret and a pinned image, to prove the pod role's grants.
const ratings: KubernetesServiceSpec = {
  name: 'ratings',
  runtime: 'kubernetes',
  routes: [{ route: 'GET /ratings/{productId}' }],
  config: { stars: '5' },
  secrets: ['apiKey'],
  table: { partitionKey: 'pk' },
  scaling: { min: 1, max: 3 },
  container: { port: 3000, cpu: 100, memoryMiB: 128, healthCheckPath: '/healthz', dockerfileDirectory: '/unused', image: 'registry.example.com/ratings:1.0.0' },
};

function build(overrides: Partial<KubernetesPlatformProps> = {}) {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const services: readonly KubernetesServiceSpec[] = overrides.services ?? [pricing, ratings];
  const config = new ConfigStore(stack, 'Config', { platformName: 'shop', environmentName: 'dev', services });
  const platform = new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', services, vpc, config, ...overrides });
  return { stack, platform, template: Template.fromStack(stack) };
}

describe('KubernetesPlatform', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  });
  const template = () => built.template;
  /** The logical ID and properties of a service's target group (the one on its container port). */
  const targetGroupOf = (spec: KubernetesServiceSpec) => {
    const found = Object.entries(template().findResources('AWS::ElasticLoadBalancingV2::TargetGroup', { Properties: { Port: spec.container.port } }));
    expect(found).toHaveLength(1);
    return found[0];
  };
  /** The objects of a service's applied chart, template references written `${LogicalId}`. */
  const chartObjects = (name: string): Record<string, any>[] => {
    const [, chart] = Object.entries(template().findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([id]) => new RegExp(`${name}Chart`).test(id))!;
    return JSON.parse(arnText(chart.Properties.Manifest));
  };

  test('an EKS Auto Mode cluster on the current version, private endpoint only, in the VPC\'s private subnets', () => {
    template().resourceCountIs('AWS::EKS::Cluster', 1);
    template().hasResourceProperties('AWS::EKS::Cluster', {
      Name: 'shop-dev',
      Version: '1.36',
      ResourcesVpcConfig: { EndpointPrivateAccess: true, EndpointPublicAccess: false, SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }]) },
      ComputeConfig: { Enabled: true, NodePools: ['system', 'general-purpose'], NodeRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KubernetesNodeRole'), 'Arn'] } },
      AccessConfig: { AuthenticationMode: 'API' },
    });
  });

  test('encrypts Kubernetes secrets with its own rotating key', () => {
    const keyId = logicalIds(template(), 'AWS::KMS::Key', { Description: Match.stringLikeRegexp('Kubernetes secrets') });
    expect(keyId).toHaveLength(1);
    template().hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('Kubernetes secrets') } });
    template().hasResourceProperties('AWS::EKS::Cluster', { EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId[0], 'Arn'] } }, Resources: ['secrets'] }] });
  });

  test('sends every control-plane log type to an encrypted log group it made first, kept a year', () => {
    template().hasResourceProperties('AWS::EKS::Cluster', {
      Logging: { ClusterLogging: { EnabledTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].map((Type) => ({ Type })) } },
    });
    template().hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/shop-dev/cluster', RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    const [clusterId] = logicalIds(template(), 'AWS::EKS::Cluster');
    const [logsId] = logicalIds(template(), 'AWS::Logs::LogGroup', { LogGroupName: '/aws/eks/shop-dev/cluster' });
    expect(template().toJSON().Resources[clusterId].DependsOn).toContain(logsId);
  });

  test('Auto Mode nodes get only the minimal managed policies AWS defines for them', () => {
    const [nodeRole] = logicalIds(template(), 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('Auto Mode nodes') });
    const policies = template().toJSON().Resources[nodeRole].Properties.ManagedPolicyArns.map(arnText);
    expect(policies).toEqual(['arn:${AWS::Partition}:iam::aws:policy/AmazonEKSWorkerNodeMinimalPolicy', 'arn:${AWS::Partition}:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly']);
  });

  test('the kubectl handler runs in the VPC with its own security group, admitted to the API on 443 only', () => {
    const [groupId] = logicalIds(template(), 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('kubectl handler') });
    const functions = template().findResources('AWS::Lambda::Function');
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [groupId, 'GroupId'] }]);
      expect(fn.Properties.VpcConfig.SubnetIds.length).toBe(2);
      expect(fn.Properties.MemorySize).toBeGreaterThanOrEqual(256);
    }
    template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] } });
  });

  test('applies the restricted namespace, then each chart with the image built from its Dockerfile', () => {
    const manifests = template().findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const byId = (pattern: RegExp) => Object.entries(manifests).find(([id]) => pattern.test(id))!;
    const [namespaceId, namespace] = byId(/manifestNamespace/);
    expect(JSON.parse(namespace.Properties.Manifest)).toEqual([expect.objectContaining({ kind: 'Namespace', metadata: expect.objectContaining({ name: 'shop', labels: expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }) }) })]);

    const [, chart] = byId(/pricingChart/);
    expect(chart.DependsOn).toEqual(expect.arrayContaining([namespaceId, logicalIds(template(), 'AWS::EKS::PodIdentityAssociation', { ServiceAccount: 'pricing' })[0]]));
    const text = JSON.stringify(chart.Properties.Manifest);
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ConfigMap', 'ServiceAccount', 'TargetGroupBinding']) expect(text).toContain(`\\"kind\\":\\"${kind}\\"`);
    expect(text).not.toContain('\\"kind\\":\\"Ingress\\"');
    // The asset image: the CDK container-assets repository, tagged with the content hash of its build context.
    expect(text).toMatch(/cdk-hnb659fds-container-assets-\$\{AWS::AccountId\}-\$\{AWS::Region\}:[0-9a-f]{64}/);
    expect(text).toContain('\\"name\\":\\"CONFIG_PATH\\",\\"value\\":\\"/shop/dev/pricing\\"');
  });

  test("the pricing image is built from services/pricing/Dockerfile with the repository root as context, cut down by the root .dockerignore", () => {
    const assembly = App.of(built.stack)!.synth();
    const assets = JSON.parse(fs.readFileSync(path.join(assembly.directory, `${built.stack.artifactId}.assets.json`), 'utf8'));
    const images = Object.values(assets.dockerImages as Record<string, { displayName: string; source: { directory: string; dockerFile: string; platform: string } }>);
    expect(images.map((image) => image.displayName)).toEqual(['Kubernetes/pricingImage']);
    expect(images[0].source).toMatchObject({ dockerFile: 'services/pricing/Dockerfile', platform: 'linux/amd64' });
    const context = path.join(assembly.directory, images[0].source.directory);
    expect(fs.readdirSync(context).sort()).toEqual(['.dockerignore', 'constructs', 'package-lock.json', 'package.json', 'runtime', 'services', 'tsconfig.json']);
    expect(fs.readdirSync(path.join(context, 'constructs'))).toEqual(['model']);
  });

  test('a spec that pins its image runs that image and builds none', () => {
    const chart = Object.entries(template().findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([id]) => /ratingsChart/.test(id))![1];
    expect(JSON.stringify(chart.Properties.Manifest)).toContain('\\"image\\":\\"registry.example.com/ratings:1.0.0\\"');
  });

  test('each service\'s pod role is assumed through Pod Identity and bound to its own ServiceAccount', () => {
    for (const name of ['pricing', 'ratings']) {
      const [roleId] = logicalIds(template(), 'AWS::IAM::Role', { Description: Match.stringLikeRegexp(`/shop/${name} \\(EKS Pod Identity\\)`) });
      template().hasResourceProperties('AWS::IAM::Role', {
        Description: Match.stringLikeRegexp(`/shop/${name} `),
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] },
      });
      template().hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'shop', ServiceAccount: name, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    }
  });

  test("a pod role reads only its own config path (no table, no secrets when the spec has none), and lets its collector send traces and write its own metrics log group", () => {
    const [roleId] = logicalIds(template(), 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('/shop/pricing ') });
    const statements = statementsOfRole(template(), roleId);
    const byPrefix = (prefix: string) => statements.filter((s) => asList(s.Action).some((a) => a.startsWith(prefix)));
    const ssm = byPrefix('ssm:');
    expect(ssm.flatMap((s) => asList(s.Action)).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'].sort());
    expect(ssm.flatMap((s) => asList(s.Resource).map(arnText)).every((r) => r.includes(':parameter/shop/dev/pricing') && !r.includes('*'))).toBe(true);
    // X-Ray's actions have no resource-level permissions; log writes are held to the service's metrics log group.
    expect(byPrefix('xray:').flatMap((s) => asList(s.Action)).sort()).toEqual(['xray:GetSamplingRules', 'xray:GetSamplingTargets', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const metricsLogGroupId = logicalIds(template(), 'AWS::Logs::LogGroup', { LogGroupName: '/eks/shop-dev/shop/pricing/metrics' });
    expect(metricsLogGroupId).toHaveLength(1);
    expect(byPrefix('logs:').flatMap((s) => asList(s.Resource).map(arnText)).sort()).toEqual([`\${${metricsLogGroupId[0]}.Arn}`, `\${${metricsLogGroupId[0]}.Arn}:log-stream:*`]);
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => !/^(ssm|xray|logs):/.test(a))).toEqual([]);
    template().hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/eks/shop-dev/shop/pricing/metrics', KmsKeyId: Match.anyValue(), RetentionInDays: Match.anyValue() });
  });

  test('a pod role reaches its own table and key, its config and its named secrets, and nothing else', () => {
    const [roleId] = logicalIds(template(), 'AWS::IAM::Role', { Description: Match.stringLikeRegexp('/shop/ratings ') });
    const [tableId] = logicalIds(template(), 'AWS::DynamoDB::Table');
    template().hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } });
    const statements = statementsOfRole(template(), roleId);
    const byAction = (action: string) => statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource).map(arnText));
    expect(byAction('dynamodb:PutItem')).toEqual([`\${${tableId}.Arn}`]);
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(
      ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    );
    expect(byAction('kms:Decrypt')).toHaveLength(1);
    expect(byAction('kms:Decrypt')[0]).toMatch(/ratingsKey/);
    expect(byAction('secretsmanager:GetSecretValue')).toEqual([expect.stringMatching(/:secret:shop\/dev\/ratings\/apiKey-\?\?\?\?\?\?$/)]);
    expect(byAction('ssm:GetParametersByPath')).toEqual([expect.stringMatching(/:parameter\/shop\/dev\/ratings$/)]);
    expect(statements.some((s) => asList(s.Action).some((a) => a === 'dynamodb:Scan' || a === 'dynamodb:*'))).toBe(false);
  });

  test('runs metrics-server, which the charts\' autoscalers read', () => {
    template().hasResourceProperties('AWS::EKS::Addon', { AddonName: 'metrics-server', ClusterName: { Ref: logicalIds(template(), 'AWS::EKS::Cluster')[0] } });
  });

  test('routed services share one internal load balancer the template names, with a target group each: pod IPs on the container port, health-checked on its path, tagged for Auto Mode', () => {
    template().resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Name: 'shop-dev-eks', Scheme: 'internal', Type: 'application' });
    for (const spec of [pricing, ratings]) {
      const [id] = targetGroupOf(spec);
      template().hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: spec.container.port,
        HealthCheckPath: spec.container.healthCheckPath,
        Tags: Match.arrayWith([{ Key: 'eks:eks-cluster-name', Value: 'shop-dev' }]),
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: String(shutdownBudgetOf(spec.container).deregistrationDelaySeconds) }]),
      });
      expect(id).toMatch(new RegExp(`${spec.name}LoadBalancerRoutesPods`));
    }
  });

  test("each applied chart binds its own Service to its own target group by the ARN the template gives (EKS Auto Mode's TargetGroupBinding), and makes no Ingress", () => {
    for (const spec of [pricing, ratings]) {
      const objects = chartObjects(spec.name);
      expect(objects.filter((o) => o.kind === 'TargetGroupBinding')).toEqual([expect.objectContaining({
        apiVersion: 'eks.amazonaws.com/v1',
        spec: { serviceRef: { name: spec.name, port: 80 }, targetGroupARN: `\${${targetGroupOf(spec)[0]}}`, targetType: 'ip' },
      })]);
      expect(objects.find((o) => o.kind === 'Service')!.metadata.name).toBe(spec.name);
      expect(objects.some((o) => o.kind === 'Ingress')).toBe(false);
    }
    // No ingress class either: nothing in the cluster makes a load balancer of its own.
    const kinds = Object.values(template().findResources('Custom::AWSCDK-EKS-KubernetesResource')).flatMap((r) => (JSON.parse(arnText(r.Properties.Manifest)) as { kind: string }[]).map((o) => o.kind));
    expect(kinds).not.toEqual(expect.arrayContaining(['IngressClass']));
  });

  test("the listener sends each route's path and method to its service's target group, and answers 404 to the rest", () => {
    const rules = Object.values(template().findResources('AWS::ElasticLoadBalancingV2::ListenerRule')).map((rule) => ({
      path: rule.Properties.Conditions.find((c: { Field: string }) => c.Field === 'path-pattern').PathPatternConfig.Values,
      methods: rule.Properties.Conditions.find((c: { Field: string }) => c.Field === 'http-request-method').HttpRequestMethodConfig.Values,
      target: rule.Properties.Actions[0].TargetGroupArn.Ref,
    }));
    const [pricingGroup] = targetGroupOf(pricing);
    const [ratingsGroup] = targetGroupOf(ratings);
    expect(rules).toEqual(expect.arrayContaining([
      { path: ['/pricing/quotes'], methods: ['POST'], target: pricingGroup },
      { path: ['/pricing/tax-rate'], methods: ['GET'], target: pricingGroup },
      { path: ['/ratings/*'], methods: ['GET'], target: ratingsGroup },
    ]));
    expect(rules).toHaveLength(3);
    template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })] });
  });

  test("the pods' cluster security group admits the load balancer on each container port, and the load balancer reaches nothing else", () => {
    const [lbGroup] = logicalIds(template(), 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('internal load balancer of the kubernetes services') });
    const clusterId = logicalIds(template(), 'AWS::EKS::Cluster')[0];
    const fromLoadBalancer = Object.values(template().findResources('AWS::EC2::SecurityGroupIngress', { Properties: { SourceSecurityGroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] } } }));
    expect(fromLoadBalancer.map((r) => [r.Properties.GroupId, r.Properties.FromPort, r.Properties.ToPort]).sort()).toEqual([
      [{ 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] }, 3000, 3000],
      [{ 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] }, 8080, 8080],
    ]);
    const egress = Object.values(template().findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] } } }));
    expect(egress.map((r) => [r.Properties.DestinationSecurityGroupId, r.Properties.FromPort]).sort()).toEqual([
      [{ 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] }, 3000],
      [{ 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] }, 8080],
    ]);
    // Used on its own, without the edge's VPC link, nothing is admitted to the listener.
    template().resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { GroupId: { 'Fn::GetAtt': [lbGroup, 'GroupId'] } }, 0);
    expect(template().findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('internal load balancer of the kubernetes services') } })[lbGroup].Properties.SecurityGroupIngress).toBeUndefined();
  });
});

describe('KubernetesPlatform bad props', () => {
  const attempt = (make: (stack: Stack, vpc: ec2.Vpc) => void) => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    try {
      make(stack, vpc);
    } catch (error) {
      return error as Error;
    }
    return undefined;
  };

  test('rejects a service that is not a kubernetes service', () => {
    const error = attempt((stack, vpc) => new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', services: [orders as unknown as KubernetesServiceSpec], vpc }));
    expect(error).toBeInstanceOf(ConstructPropError);
    expect(error!.message).toMatch(/^Test\/Kubernetes: prop 'services' includes 'orders' with runtime 'lambda'/);
  });

  test('needs the config store when a service has config', () => {
    const error = attempt((stack, vpc) => new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', services: [pricing], vpc }));
    expect(error!.message).toMatch(/^Test\/Kubernetes: prop 'config' is missing, but service 'pricing' declares config/);
  });

  test('needs a matching kubectl layer for another Kubernetes version', () => {
    const error = attempt((stack, vpc) =>
      new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', services: [{ ...pricing, config: undefined }], vpc, version: eks.KubernetesVersion.V1_35 }),
    );
    expect(error!.message).toMatch(/^Test\/Kubernetes: prop 'kubectlLayer' is missing for Kubernetes 1.35/);
  });
});

describe('MicroservicePlatform with kubernetes services', () => {
  test('places the cluster in the kubernetes layer and makes no Lambda function for them', () => {
    const app = newApp();
    const [network, shared, services, edge, kubernetes] = ['network', 'shared', 'services', 'edge', 'kubernetes'].map((id) => new Stack(app, id));
    const admin = new iam.Role(shared, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    const platform = new MicroservicePlatform(app, 'Platform', {
      platformName: 'shop',
      services: [orders, pricing],
      placement: { network, shared, services, edge, kubernetes },
      kubernetesAdminRole: admin,
    });
    expect(platform.kubernetes?.charts.has('pricing')).toBe(true);
    expect([...platform.lambdaServices.keys()]).toEqual(['orders']);
    expect(Stack.of(platform.kubernetes!.cluster)).toBe(kubernetes);
    Template.fromStack(kubernetes).resourceCountIs('AWS::EKS::Cluster', 1);
    Template.fromStack(services).resourceCountIs('AWS::EKS::Cluster', 0);
    // The admin role gets cluster-admin through an access entry, and nothing else does besides the kubectl handler.
    const entries = Object.values(Template.fromStack(kubernetes).findResources('AWS::EKS::AccessEntry'));
    const admins = entries.filter((e) => JSON.stringify(e.Properties.AccessPolicies ?? []).includes('AmazonEKSClusterAdminPolicy'));
    expect(admins.map((e) => JSON.stringify(e.Properties.PrincipalArn))).toEqual(expect.arrayContaining([expect.stringContaining('Admin')]));
  });

  test('makes no cluster when the catalog has no kubernetes service', () => {
    const stack = newStack();
    const platform = new MicroservicePlatform(stack, 'Platform', { platformName: 'shop', services: [orders] });
    expect(platform.kubernetes).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::EKS::Cluster', 0);
  });
});

describe('MicroservicePlatform: kubernetes routes behind the edge', () => {
  const layers = ['network', 'shared', 'services', 'edge', 'kubernetes', 'observability'] as const;
  let stacks: Record<(typeof layers)[number], Stack>;
  let platform: MicroservicePlatform;
  const templates = new Map<Stack, Template>();
  const template = (layer: (typeof layers)[number]) => {
    if (!templates.has(stacks[layer])) templates.set(stacks[layer], Template.fromStack(stacks[layer]));
    return templates.get(stacks[layer])!;
  };
  beforeAll(() => {
    const app = newApp();
    stacks = Object.fromEntries(layers.map((layer) => [layer, new Stack(app, layer)])) as typeof stacks;
    platform = new MicroservicePlatform(app, 'Platform', { platformName: 'shop', services: [orders, pricing], placement: stacks });
  });
  /** The names a stack exports `value` under. */
  const exportsOf = (layer: (typeof layers)[number], value: unknown) =>
    Object.values<{ Value: unknown; Export?: { Name: string } }>(template(layer).toJSON().Outputs ?? {}).filter((o) => JSON.stringify(o.Value) === JSON.stringify(value)).map((o) => o.Export!.Name);
  const onlyId = (layer: (typeof layers)[number], type: string, props?: Record<string, unknown>) => {
    const ids = logicalIds(template(layer), type, props);
    expect(ids).toHaveLength(1);
    return ids[0];
  };
  const methodOf = (route: string) => {
    const method = platform.gateway!.methods.get(route)!;
    return template('edge').toJSON().Resources[stacks.edge.getLogicalId(method.node.defaultChild as never)].Properties;
  };
  // The platform's shared load balancer, in the services stack; the routed kubernetes services have a listener on it.
  const loadBalancerId = () => onlyId('services', 'AWS::ElasticLoadBalancingV2::LoadBalancer');
  const port = () => platform.kubernetes!.loadBalancer!.port;

  test.each([['POST /pricing/quotes', 'pricing.write'], ['GET /pricing/tax-rate', 'pricing.read']])("%s is a method of the edge REST API behind the Cognito authorizer, with the route's scope", (route, scope) => {
    const method = methodOf(route);
    expect(method.AuthorizationType).toBe('COGNITO_USER_POOLS');
    expect(method.AuthorizerId).toEqual({ Ref: stacks.edge.getLogicalId(platform.gateway!.authorizer.node.defaultChild as never) });
    expect(method.AuthorizationScopes.map(arnText)).toEqual([expect.stringMatching(new RegExp(`/${scope.replace('.', '\\.')}$`))]);
    expect(method.RestApiId).toEqual({ Ref: onlyId('edge', 'AWS::ApiGateway::RestApi') });
  });

  test.each(['POST /pricing/quotes', 'GET /pricing/tax-rate'])("%s is an HTTP proxy through the platform's VPC link to the shared load balancer the services stack names, at the kubernetes listener's port and the route's path", (route) => {
    const [verb, path] = route.split(' ');
    const integration = methodOf(route).Integration;
    expect(integration).toMatchObject({ Type: 'HTTP_PROXY', IntegrationHttpMethod: verb, ConnectionType: 'VPC_LINK' });
    const [link] = exportsOf('shared', { Ref: onlyId('shared', 'AWS::ApiGatewayV2::VpcLink') });
    expect(integration.ConnectionId).toEqual({ 'Fn::ImportValue': link });
    const [loadBalancer] = exportsOf('services', { Ref: loadBalancerId() });
    expect(integration.IntegrationTarget).toEqual({ 'Fn::ImportValue': loadBalancer });
    const [dnsName] = exportsOf('services', { 'Fn::GetAtt': [loadBalancerId(), 'DNSName'] });
    expect(port()).toBeGreaterThanOrEqual(10000);
    expect(integration.Uri).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::ImportValue': dnsName }, `:${port()}${path}`]] });
    template('kubernetes').hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: port(), LoadBalancerArn: { 'Fn::ImportValue': loadBalancer } });
    // That load balancer is the one whose target group the pricing pods are bound to.
    expect(platform.kubernetes!.loadBalancer!.targetGroups.get('pricing')).toBe(platform.kubernetes!.services.get('pricing')!.targetGroup);
  });

  test("the load balancer admits the VPC link's security group on its listener, and the link may reach it there", () => {
    const [linkGroup] = exportsOf('shared', { 'Fn::GetAtt': [onlyId('shared', 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('VPC link') }), 'GroupId'] });
    const [lbGroup] = exportsOf('services', { 'Fn::GetAtt': [onlyId('services', 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('load balancer of the container services') }), 'GroupId'] });
    const ingress = Object.values(template('kubernetes').findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::ImportValue': lbGroup } } }));
    expect(ingress.map((r) => [r.Properties.SourceSecurityGroupId, r.Properties.FromPort, r.Properties.ToPort])).toEqual([[{ 'Fn::ImportValue': linkGroup }, port(), port()]]);
    template('kubernetes').hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: { 'Fn::ImportValue': linkGroup }, DestinationSecurityGroupId: { 'Fn::ImportValue': lbGroup }, FromPort: port(), ToPort: port() });
  });

  test("pricing's gateway 5xx alarm, made beside the service, watches the 5xx rate of its own routes at the edge stage", () => {
    expect(Object.keys(template('observability').findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: Match.stringLikeRegexp('^shop-dev-pricing-') } }))).toEqual([]);
    const alarms = Object.values(template('kubernetes').findResources('AWS::CloudWatch::Alarm')).filter((a) => /^shop-dev-pricing-gateway-Gateway5xxRate-/.test(a.Properties.AlarmName));
    expect(alarms).toHaveLength(1);
    const dimensions = (alarms[0].Properties.Metrics as { MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] } } }[])
      .flatMap((m) => (m.MetricStat ? [Object.fromEntries(m.MetricStat.Metric.Dimensions.map((d) => [d.Name, d.Value]))] : []));
    expect(new Set(dimensions.map((d) => `${d.ApiName} ${d.Stage} ${d.Method} ${d.Resource}`))).toEqual(new Set(['shop-dev-edge dev POST /pricing/quotes', 'shop-dev-edge dev GET /pricing/tax-rate']));
  });
});

describe('calls into kubernetes services from other runtimes', () => {
  let stacks: Record<'network' | 'shared' | 'services' | 'edge' | 'kubernetes', Stack>;
  let kubernetes: Template;
  let services: Template;
  let port: number;
  beforeAll(() => {
    const app = newApp();
    stacks = Object.fromEntries(['network', 'shared', 'services', 'edge', 'kubernetes'].map((layer) => [layer, new Stack(app, layer)])) as typeof stacks;
    const platform = new MicroservicePlatform(app, 'Platform', { platformName: 'shop', services: [{ ...orders, calls: ['pricing'] }, pricing], placement: stacks });
    kubernetes = Template.fromStack(stacks.kubernetes);
    services = Template.fromStack(stacks.services);
    port = platform.kubernetes!.loadBalancer!.port;
  });
  /** The export of the services stack a value goes by. */
  const exported = (value: unknown) => Object.values<{ Value: unknown; Export: { Name: string } }>(services.toJSON().Outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify(value))!.Export.Name;

  test("a Lambda caller of pricing is admitted at the cluster's load balancer on its listener, and nothing reaches the pods but the load balancer", () => {
    const lbGroupId = logicalIds(services, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('load balancer of the container services') })[0];
    const lbGroup = { 'Fn::ImportValue': exported({ 'Fn::GetAtt': [lbGroupId, 'GroupId'] }) };
    const ingress = Object.values(kubernetes.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: lbGroup } }));
    const sources = ingress.map((r) => [r.Properties.Description, r.Properties.FromPort, JSON.stringify(r.Properties.SourceSecurityGroupId)]).sort();
    expect(sources).toEqual([
      ['calls from orders', port, expect.stringMatching(/"Fn::ImportValue":"services:ExportsOutputFnGetAttordersSecurityGroup/)],
      ['the edge gateway VPC link', port, expect.stringMatching(/"Fn::ImportValue":"shared:/)],
    ]);
    const clusterId = logicalIds(kubernetes, 'AWS::EKS::Cluster')[0];
    const intoPods = Object.values(kubernetes.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::GetAtt': [clusterId, 'ClusterSecurityGroupId'] }, FromPort: pricing.container.port } }));
    expect(intoPods.map((r) => r.Properties.SourceSecurityGroupId)).toEqual([lbGroup]);
  });

  test("pricing is registered at the load balancer's URL for callers outside the cluster, and at its Service for callers in it", () => {
    const [instance] = Object.values(kubernetes.findResources('AWS::ServiceDiscovery::Instance', { Properties: { InstanceId: 'pricing-1' } }));
    const loadBalancer = logicalIds(services, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    expect(instance.Properties.InstanceAttributes).toMatchObject({
      runtime: 'kubernetes',
      url: { 'Fn::Join': ['', ['http://', { 'Fn::ImportValue': exported({ 'Fn::GetAtt': [loadBalancer, 'DNSName'] }) }, `:${port}`]] },
      clusterUrl: 'http://pricing.shop.svc.cluster.local',
    });
  });

  test('a service without routes refuses callers of other runtimes, naming the caller and itself', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const worker = new KubernetesPlatform(stack, 'Kubernetes', { platformName: 'shop', environmentName: 'dev', vpc, services: [{ ...ratings, name: 'worker', routes: undefined, config: undefined, secrets: undefined }] }).services.get('worker')!;
    expect(() => worker.allowCallsFrom({ spec: orders } as never)).toThrow(/^Test\/Kubernetes\/worker: prop 'spec.calls' of 'orders' names 'worker', a kubernetes service without routes, which only services in its cluster can reach$/);
  });
});
