import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaMicroservice } from '../compute/lambda-microservice';
import type { FargateMicroservice } from '../containers/fargate-microservice';
import type { KubernetesPlatform } from '../kubernetes/kubernetes-platform';
import { ConstructPropError } from '../model/errors';
import { AccessLogBucket } from '../observability/access-log-bucket';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { findingTextOf } from '../security/finding-text';
import { createPrivateBucket } from '../security/private-bucket';
import { EncryptionKey } from '../security/encryption-key';

/** Props of ChaosExperiments. */
export interface ChaosExperimentsProps {
  /** Prefix of the experiments' names, e.g. `shop-dev`. */
  readonly namePrefix: string;
  /**
   * Share of a Fargate service's running tasks an experiment stops (percent).
   * @default 50
   */
  readonly taskStopPercent?: number;
  /**
   * Pods of a Kubernetes service an experiment deletes.
   * @default 1
   */
  readonly podDeleteCount?: number;
  /**
   * How long experiment logs are kept (at least a year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep the log group and its key when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/** Public parameter holding the ARN of the FIS Lambda extension layer (arm64) in the deploying region. */
export const FIS_LAMBDA_EXTENSION_PARAMETER = '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x';
/** Prefix under which FIS writes fault configurations for the extension. */
const FAULT_CONFIG_PREFIX = 'FisConfigs/';

/** The Kubernetes identity FIS acts as inside a cluster (its service account, and the user its role maps to). */
export const FIS_KUBERNETES_IDENTITY = 'fis-experiment';

/**
 * AWS FIS experiment templates that prove the platform heals itself. Each template has a CloudWatch
 * alarm as its stop condition (FIS stops the experiment as soon as the alarm fires), a role of its
 * own that may touch only its targets, and logs in an encrypted log group. Add one experiment per
 * service with the `add...` methods; start them with `aws fis start-experiment`. What the experiments
 * share (key, log group, fault-configuration bucket, the cluster's FIS access) is made here; each
 * experiment's role and template beside its service, so a stack of services grows by the services'
 * own experiments only.
 */
export class ChaosExperiments extends Construct {
  /** The templates, by name (`<prefix>-<service>-<fault>`). */
  public readonly templates = new Map<string, fis.CfnExperimentTemplate>();
  /** The experiments' log group. */
  public readonly logGroup: logs.LogGroup;
  private readonly props: ChaosExperimentsProps;
  private readonly taskStopPercent: number;
  private readonly podDeleteCount: number;
  private readonly kubernetesAccessManifests = new Map<KubernetesPlatform, Construct>();
  private readonly key: EncryptionKey;
  private faultConfigBucket?: s3.Bucket;
  private extensionLayer?: lambda.ILayerVersion;

  constructor(scope: Construct, id: string, props: ChaosExperimentsProps) {
    super(scope, id);
    this.props = props;
    this.taskStopPercent = props.taskStopPercent ?? 50;
    if (!Number.isInteger(this.taskStopPercent) || this.taskStopPercent < 1 || this.taskStopPercent > 100) {
      throw ConstructPropError.of(this, 'taskStopPercent', `is ${this.taskStopPercent}; expected a whole percentage from 1 to 100`);
    }
    this.podDeleteCount = props.podDeleteCount ?? 1;
    if (!Number.isInteger(this.podDeleteCount) || this.podDeleteCount < 1) {
      throw ConstructPropError.of(this, 'podDeleteCount', `is ${this.podDeleteCount}; expected a whole number of pods, at least 1`);
    }
    // Its own key: the experiments' role reads the fault configurations and writes the logs, and
    // should hold no grant on the key of the services' data.
    const key = (this.key = new EncryptionKey(this, 'Key', { description: `Encrypts the chaos experiment logs and fault configurations of ${props.namePrefix}`, retain: props.retainData }));
    this.logGroup = new EncryptedLogGroup(this, 'Logs', { encryptionKey: key.key, retention: props.logRetention, retain: props.retainData, logGroupName: `/aws/fis/${props.namePrefix}/${this.node.id}` }).logGroup;
  }

  /**
   * Stops a share of the service's running tasks at once. Proves: the service keeps answering (the
   * load balancer sends traffic to the tasks left) and ECS brings the count back. Stops when the
   * alarm fires. Its role and template are made in `scope` (default: beside the service, so they deploy with it).
   */
  public addStopFargateTasks(service: FargateMicroservice, stopCondition: cloudwatch.IAlarm, scope: Construct = service): fis.CfnExperimentTemplate {
    const name = `${this.props.namePrefix}-${service.spec.name}-stop-tasks`;
    const cluster = service.service.cluster;
    const role = this.roleFor(scope, service.spec.name, 'StopTasks', name);
    const stack = Stack.of(role);
    const taskArns = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'StopTasksOfTheService',
      actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
      resources: [taskArns],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'FindTasksOfTheService',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
    }));
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${findingTextOf(role, cluster.clusterName)}/*]`,
      reason: 'Tasks get new IDs each time they start; the grant covers the tasks of the one cluster, and a condition holds it to that cluster.',
    });
    return this.template(scope, name, role, stopCondition, `Stops ${this.taskStopPercent}% of the running tasks of ${service.serviceName}`, {
      targets: {
        Tasks: {
          resourceType: 'aws:ecs:task',
          selectionMode: `PERCENT(${this.taskStopPercent})`,
          parameters: { cluster: cluster.clusterName, service: service.service.serviceName },
        },
      },
      actions: { StopTasks: { actionId: 'aws:ecs:stop-task', description: 'Stop the selected tasks', targets: { Tasks: 'Tasks' } } },
    });
  }

  /**
   * Two experiments on a Lambda service: `-lambda-delay` holds 25% of invocations for a second before
   * the handler runs, `-lambda-errors` fails 10% of invocations without running the handler, each for
   * five minutes. Proves: callers' timeouts, retries and fallbacks hold, and the rollback alarm sees
   * it. Prepares the function: the FIS Lambda extension as a layer, the environment that points it at
   * the fault configuration in this construct's bucket, and read access to that prefix. Stops when
   * the alarm fires. Their roles and templates are made in `scope` (default: beside the service).
   */
  public addLambdaFaults(service: LambdaMicroservice, stopCondition: cloudwatch.IAlarm, scope: Construct = service): fis.CfnExperimentTemplate[] {
    const bucket = this.prepareForLambdaFaults(service);
    const faults: [string, string, Record<string, string>, string][] = [
      ['delay', 'aws:lambda:invocation-add-delay', { duration: 'PT5M', invocationPercentage: '25', startupDelayMilliseconds: '1000' }, `Delays 25% of the invocations of ${service.functionName} by one second`],
      ['errors', 'aws:lambda:invocation-error', { duration: 'PT5M', invocationPercentage: '10', preventExecution: 'true' }, `Fails 10% of the invocations of ${service.functionName} without running the handler`],
    ];
    return faults.map(([fault, actionId, parameters, description]) => {
      const name = `${this.props.namePrefix}-${service.spec.name}-lambda-${fault}`;
      const role = this.roleFor(scope, service.spec.name, `Lambda${fault}`, name);
      role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadTheFunction', actions: ['lambda:GetFunction'], resources: [service.function.functionArn] }));
      role.addToPolicy(new iam.PolicyStatement({ sid: 'WriteFaultConfigurations', actions: ['s3:PutObject', 's3:DeleteObject'], resources: [bucket.arnForObjects(`${FAULT_CONFIG_PREFIX}*`)] }));
      this.key.key.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${findingTextOf(role, bucket.bucketArn)}/${FAULT_CONFIG_PREFIX}*]`,
        reason: 'FIS writes one fault configuration object per experiment run, named at run time; the grant is held to the fault-configuration prefix of the experiments\' own bucket.',
      });
      return this.template(scope, name, role, stopCondition, description, {
        targets: { Functions: { resourceType: 'aws:lambda:function', resourceArns: [service.function.functionArn], selectionMode: 'ALL' } },
        actions: { [fault === 'delay' ? 'AddDelay' : 'InjectErrors']: { actionId, description, parameters, targets: { Functions: 'Functions' } } },
      });
    });
  }

  private prepareForLambdaFaults(service: LambdaMicroservice): s3.Bucket {
    if (this.faultConfigBucket === undefined) {
      this.faultConfigBucket = createPrivateBucket(this, 'FaultConfigurations', {
        encryptionKey: this.key.key,
        accessLogs: new AccessLogBucket(this, 'AccessLogs'),
        accessLogPrefix: 'fault-configurations/',
        expiration: Duration.days(30),
        retain: this.props.retainData,
      });
      this.extensionLayer = lambda.LayerVersion.fromLayerVersionArn(this, 'FisExtension', ssm.StringParameter.valueForStringParameter(this, FIS_LAMBDA_EXTENSION_PARAMETER));
    }
    const bucket = this.faultConfigBucket;
    const fn = service.function;
    fn.addLayers(this.extensionLayer!);
    fn.addEnvironment('AWS_FIS_CONFIGURATION_LOCATION', `${bucket.bucketArn}/${FAULT_CONFIG_PREFIX}`);
    fn.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', '/opt/aws-fis/bootstrap');
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ListFaultConfigurations', actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${FAULT_CONFIG_PREFIX}*`] } } }));
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadFaultConfigurations', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(`${FAULT_CONFIG_PREFIX}*`)] }));
    this.key.key.grant(fn, 'kms:Decrypt');
    const policy = service.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${findingTextOf(policy, bucket.bucketArn)}/${FAULT_CONFIG_PREFIX}*]`,
        reason: 'The FIS Lambda extension reads the fault configuration FIS writes for a run, named at run time; the grant is held to the fault-configuration prefix of the experiments\' bucket.',
      });
    }
    return bucket;
  }

  /**
   * Deletes pods of a Kubernetes service. Proves: the Deployment replaces them, the disruption budget
   * and the remaining replicas keep the service up. FIS acts in the cluster as the Kubernetes user
   * `fis-experiment` (an access entry for its role) through a service account and a Role limited to
   * the platform's namespace. Stops when the alarm fires. Its role, access entry and template are made
   * in `scope` (default: these experiments; the kubernetes service passes itself).
   */
  public addDeleteKubernetesPods(kubernetes: KubernetesPlatform, serviceName: string, stopCondition: cloudwatch.IAlarm, scope: Construct = this): fis.CfnExperimentTemplate {
    if (!kubernetes.charts.has(serviceName)) {
      throw ConstructPropError.of(this, 'serviceName', `'${serviceName}' is not a service of the Kubernetes platform (${[...kubernetes.charts.keys()].join(', ')})`);
    }
    const name = `${this.props.namePrefix}-${serviceName}-delete-pods`;
    const role = this.roleFor(scope, serviceName, 'DeletePods', name);
    role.addToPolicy(new iam.PolicyStatement({ sid: 'DescribeTheCluster', actions: ['eks:DescribeCluster'], resources: [kubernetes.cluster.clusterArn] }));
    const rbac = this.kubernetesAccess(kubernetes);
    const access = new eks.CfnAccessEntry(scope, `${serviceName}DeletePodsAccess`, {
      clusterName: kubernetes.cluster.clusterName,
      principalArn: role.roleArn,
      type: 'STANDARD',
      username: FIS_KUBERNETES_IDENTITY,
    });
    const template = this.template(scope, name, role, stopCondition, `Deletes ${this.podDeleteCount} pod(s) of ${serviceName} in ${kubernetes.cluster.clusterName}/${kubernetes.namespace}`, {
      targets: {
        Pods: {
          resourceType: 'aws:eks:pod',
          selectionMode: `COUNT(${this.podDeleteCount})`,
          parameters: {
            clusterIdentifier: kubernetes.cluster.clusterArn,
            namespace: kubernetes.namespace,
            selectorType: 'labelSelector',
            selectorValue: `app.kubernetes.io/name=${serviceName}`,
          },
        },
      },
      actions: {
        DeletePods: {
          actionId: 'aws:eks:pod-delete',
          description: 'Delete the selected pods',
          parameters: { kubernetesServiceAccount: FIS_KUBERNETES_IDENTITY },
          targets: { Pods: 'Pods' },
        },
      },
    });
    template.node.addDependency(access, rbac);
    return template;
  }

  /** The service account FIS runs as, and the Role (pods in the namespace only) bound to it and to FIS's user. */
  private kubernetesAccess(kubernetes: KubernetesPlatform): Construct {
    const existing = this.kubernetesAccessManifests.get(kubernetes);
    if (existing) return existing;
    const metadata = { name: FIS_KUBERNETES_IDENTITY, namespace: kubernetes.namespace };
    const manifest = kubernetes.cluster.addManifest(`${this.node.id}KubernetesAccess`,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: true },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata,
        rules: [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'create', 'patch', 'delete'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['create', 'list', 'get', 'delete', 'deletecollection'] },
          { apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['update'] },
          { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata,
        subjects: [
          { kind: 'ServiceAccount', name: FIS_KUBERNETES_IDENTITY, namespace: kubernetes.namespace },
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: FIS_KUBERNETES_IDENTITY },
        ],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: FIS_KUBERNETES_IDENTITY },
      },
    );
    this.kubernetesAccessManifests.set(kubernetes, manifest);
    return manifest;
  }

  /** A role FIS assumes for one experiment, allowed to deliver the experiment's logs. */
  private roleFor(scope: Construct, serviceName: string, fault: string, experimentName: string): iam.Role {
    const stack = Stack.of(scope);
    const role = new iam.Role(scope, `${serviceName}${fault}Role`, {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `FIS runs ${experimentName} with this role`,
    });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'DeliverExperimentLogs',
      actions: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
      resources: ['*'],
    }));
    const policy = role.node.findChild('DefaultPolicy');
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Log delivery setup (CreateLogDelivery, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and ecs:ListTasks have no resource-level permissions; ListTasks is held to the service\'s cluster by a condition.',
    });
    return role;
  }

  private template(scope: Construct, name: string, role: iam.Role, stopCondition: cloudwatch.IAlarm, description: string, body: Pick<fis.CfnExperimentTemplateProps, 'targets' | 'actions'>): fis.CfnExperimentTemplate {
    if (this.templates.has(name)) throw ConstructPropError.of(this, 'experiments', `already has '${name}'`);
    const template = new fis.CfnExperimentTemplate(scope, name.slice(this.props.namePrefix.length + 1), {
      description: description.slice(0, 512),
      roleArn: role.roleArn,
      stopConditions: [{ source: 'aws:cloudwatch:alarm', value: stopCondition.alarmArn }],
      logConfiguration: { logSchemaVersion: 2, cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn } },
      experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
      tags: { Name: name },
      ...body,
    });
    this.templates.set(name, template);
    return template;
  }
}
