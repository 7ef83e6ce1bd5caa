import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ConfigStore } from '../config/config-store';
import type { ServiceRegistry } from '../discovery/service-registry';
import { createServiceTable, grantServiceTable } from '../data/service-table';
import { acknowledgeTerminalQueue, alarmWhenNotEmpty } from '../messaging/dead-letter-queue';
import type { EventBackbone } from '../messaging/event-backbone';
import { EventConsumer, feedQueueToFunction } from '../messaging/event-consumer';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import { validateServiceSpec } from '../model/validate-platform';
import { DEFAULT_LAMBDA_BUNDLING, inProcessLambdaCode } from './lambda-bundle';
import type { LambdaServiceSpec } from '../model/service-spec';
import type { ChaosExperiments } from '../chaos/chaos-experiments';
import { LambdaCanaryDeployment } from '../delivery/lambda-canary-deployment';
import type { GatewayTarget } from '../gateway/edge-gateway';
import type { MonitoringTarget } from '../observability/monitoring-target';
import { lambdaMonitoring } from '../runtimes/lambda/lambda-monitoring';
import type { DeployedService } from '../runtimes/service-runtime';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { EncryptionKey, referToKeyByAlias } from '../security/encryption-key';

/** Name of the alias every caller invokes. */
export const LIVE_ALIAS = 'live';

/** Props of a LambdaMicroservice. */
export interface LambdaMicroserviceProps {
  /** The service's spec; its runtime must be `lambda`. */
  readonly spec: LambdaServiceSpec;
  /** Platform name; with the environment it prefixes the function name, e.g. `shop-dev-orders`. */
  readonly platformName: string;
  /** Environment name. */
  readonly environmentName: string;
  /** The VPC the function runs in. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets for the function's network interfaces.
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Registry the service is registered in (and, when the spec calls others, may discover from).
   * @default - not registered (the platform registers every service with `ServiceRegistry.register`)
   */
  readonly registry?: ServiceRegistry;
  /**
   * Config store holding the spec's config; the function may read its own path only.
   * @default - not wired to a config store (the platform binds every service with `ConfigStore.bindService`)
   */
  readonly config?: ConfigStore;
  /**
   * The key its data, logs and queues are encrypted with, when it shares one (the platform's
   * service key, `RuntimeContext.serviceKey`). Its table, queues and log group stay its own through
   * their IAM grants; the key only has to admit the AWS services that use it on their behalf.
   * @default - a key of its own
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Keep the table, key and logs when the stack is deleted, and protect the table from deletion.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Log retention (at least one year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Seconds a cached config value is served before it is read again.
   * @default 60
   */
  readonly configMaxAgeSeconds?: number;
  /**
   * Add the AWS Distro for OpenTelemetry layer, for spans from inside the code (exported to X-Ray).
   * @default false - Lambda active tracing only
   */
  readonly openTelemetry?: boolean;
  /**
   * Event bus the service publishes its spec's `events.publishes` to and receives its
   * `events.consumes` from (through a queue of its own, see `EventConsumer`).
   * @default - not wired to a bus (the platform connects every service with `EventBackbone.connect`)
   */
  readonly eventBackbone?: EventBackbone;
  /**
   * `addChaosExperiments` gives the function the FIS Lambda extension and its fault experiments (the
   * extension polls for faults on every invocation, so a profile may leave it out).
   * @default true
   */
  readonly faultInjection?: boolean;
  /**
   * Escape hatch: esbuild options merged over the defaults.
   * @default - minified, no source map, AWS SDK v3 left to the runtime
   */
  readonly bundling?: nodejs.BundlingOptions;
}

const DEFAULT_MEMORY_MIB = 256;
const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * One microservice on Lambda, made from its spec: an esbuild bundle of its handler on the
 * latest Node.js runtime in the platform VPC, with active tracing, explicit memory and timeout,
 * its own encrypted table and log group, a failure queue for async invocations, a role that
 * can touch only what the service owns, its config path, and a registration in Cloud Map. A
 * service that calls others may discover only those, in the namespace `DISCOVERY_NAMESPACE` names.
 */
export class LambdaMicroservice extends Construct implements DeployedService {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /**
   * The `live` alias on the function's current version: the gateway, the event sources, the sagas and
   * the registry all invoke it, so a deployment group can shift traffic between versions behind it.
   */
  public readonly alias: lambda.Alias;
  /** The function's name, `<platform>-<env>-<service>`, which is also its name in X-Ray. */
  public readonly functionName: string;
  /** The service's own table, if the spec declares one. */
  public readonly table?: dynamodb.Table;
  /** The key of its table, logs and failure queue: its own, or the one it was given to share. */
  public readonly dataKey: kms.IKey;
  /** Its own key, when it was given none to share (`dataKey` is the key in use either way). */
  public readonly encryptionKey?: EncryptionKey;
  /** Failed asynchronous invocations land here. */
  public readonly failureQueue: sqs.Queue;
  /** The function's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The execution role. */
  public readonly role: iam.Role;
  /** The Cloud Map service, when the construct was given a `registry` (in a platform, see `MicroservicePlatform` and `ServiceRegistry.register`). */
  public readonly registration?: servicediscovery.Service;
  /** The function's security group (no inbound); services it calls let it in. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The spec this was made from. */
  public readonly spec: LambdaServiceSpec;
  /** The event store (`streamId`, `version`), when the spec declares event sourcing; its stream feeds the function. */
  public readonly eventStore?: dynamodb.Table;
  /** The read model the projection maintains, when the spec declares event sourcing. */
  public readonly readModel?: dynamodb.Table;
  /**
   * The service's subscription to the bus, when its spec consumes events and the construct was given an
   * `eventBackbone`; in a platform the subscription is `MicroservicePlatform.eventConsumers`.
   */
  public readonly eventConsumer?: EventConsumer;
  /** Fires when the failure queue holds a message, when the service has an event backbone (whose topic it notifies). */
  public readonly failureAlarm?: cloudwatch.Alarm;
  /** The execution role: grants to the service go to it. */
  public readonly grantPrincipal: iam.IPrincipal;
  /** The function's security group, as connections: the services it calls let these in. */
  public readonly connections: ec2.Connections;
  /** What callers find in the registry: the function's name and the ARN of its `live` alias. */
  public readonly discoveryAttributes: Readonly<Record<string, string>>;
  /** The edge invokes the `live` alias. */
  public readonly gatewayTarget: GatewayTarget;
  /** Sagas invoke the `live` alias. */
  public readonly invokeTarget: lambda.IFunction;
  /** How long one invocation may take: the function's timeout. */
  public readonly eventHandlingTimeout: Duration;
  private readonly faultInjection: boolean;
  private canary?: LambdaCanaryDeployment;

  constructor(scope: Construct, id: string, props: LambdaMicroserviceProps) {
    super(scope, id);
    const spec = props.spec;
    this.spec = spec;
    if (spec.runtime !== 'lambda' || spec.lambda === undefined) {
      throw ConstructPropError.of(this, 'spec', `describes '${spec.name}' with runtime '${spec.runtime}'${spec.lambda ? '' : ' and no lambda settings'}; a LambdaMicroservice needs runtime 'lambda' with { lambda: { entry } }`);
    }
    // The same checks as for a whole catalog, so a construct used on its own fails as clearly.
    try {
      validateServiceSpec(spec, { namePrefix: `${props.platformName}-${props.environmentName}` });
    } catch (error) {
      throw ConstructPropError.of(this, 'spec', `is not valid:\n${(error as Error).message}`);
    }
    this.functionName = `${props.platformName}-${props.environmentName}-${spec.name}`;
    const retain = props.retainData ?? false;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    if (props.encryptionKey === undefined) {
      this.encryptionKey = new EncryptionKey(this, 'Key', { description: `Encrypts the data, logs and failed events of ${this.functionName}`, retain });
    }
    const key = props.encryptionKey ?? this.encryptionKey!.key;
    this.dataKey = key;
    const logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: key,
      retention: props.logRetention,
      retain,
      logGroupName: `/aws/lambda/${this.functionName}`,
    });
    this.logGroup = logGroup.logGroup;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.functionName}`,
    });
    // Written out instead of the AWS managed policies, so every statement names what it covers.
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    }));
    this.role.addToPolicy(new iam.PolicyStatement({
      sid: 'NetworkInterfacesInVpc',
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));

    const environment: Record<string, string> = {
      [SERVICE_ENVIRONMENT.powertoolsServiceName]: spec.name,
      [SERVICE_ENVIRONMENT.powertoolsMetricsNamespace]: props.platformName,
      [SERVICE_ENVIRONMENT.powertoolsLogLevel]: 'INFO',
      [SERVICE_ENVIRONMENT.platformEnvironment]: props.environmentName,
    };

    // Every table of the service: its key, PITR, deletion protection when data is retained.
    const tableDefaults = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy,
    };
    const stringKey = (name: string | undefined) => (name === undefined ? undefined : { name, type: dynamodb.AttributeType.STRING });
    if (spec.table) {
      this.table = createServiceTable(this, 'Table', { table: spec.table, encryptionKey: key, retain });
      grantServiceTable(this.table, key, this.role);
      environment[SERVICE_ENVIRONMENT.tableName] = this.table.tableName;
    }

    if (spec.eventSourcing) {
      const readModel = spec.eventSourcing.readModel;
      this.eventStore = new dynamodb.Table(this, 'EventStore', {
        ...tableDefaults,
        partitionKey: { name: 'streamId', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'version', type: dynamodb.AttributeType.NUMBER },
        stream: dynamodb.StreamViewType.NEW_IMAGE,
      });
      this.readModel = new dynamodb.Table(this, 'ReadModel', {
        ...tableDefaults,
        partitionKey: stringKey(readModel.partitionKey)!,
        sortKey: stringKey(readModel.sortKey),
        timeToLiveAttribute: readModel.timeToLiveAttribute,
      });
      for (const index of readModel.indexes ?? []) {
        this.readModel.addGlobalSecondaryIndex({ indexName: index.name, partitionKey: stringKey(index.partitionKey)!, sortKey: stringKey(index.sortKey) });
      }
      // Events are appended, never changed: no UpdateItem or DeleteItem on the store.
      this.eventStore.grant(this.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem');
      this.readModel.grant(this.role, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query');
      key.grant(this.role, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
      environment[SERVICE_ENVIRONMENT.eventStoreTableName] = this.eventStore.tableName;
      environment[SERVICE_ENVIRONMENT.readModelTableName] = this.readModel.tableName;
    }


    // Async invocations that fail after Lambda's retries are kept, never dropped.
    this.failureQueue = new sqs.Queue(this, 'FailedInvocations', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL },
      removalPolicy,
    });
    referToKeyByAlias(this.failureQueue.node.defaultChild as sqs.CfnQueue, 'KmsMasterKeyId', key);
    acknowledgeTerminalQueue(
      this.failureQueue,
      'This queue is itself the dead-letter store for failed asynchronous invocations of the function (its redrive-allow policy denies every source); a further queue behind it would only move the same messages.',
    );
    const failureQueue = this.failureQueue;

    const securityGroup = (this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${this.functionName}: no inbound; outbound to AWS APIs`,
      allowAllOutbound: true,
    }));

    const memorySize = spec.lambda.memoryMiB ?? DEFAULT_MEMORY_MIB;
    const timeout = Duration.seconds(spec.lambda.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    const bundling: nodejs.BundlingOptions = { ...DEFAULT_LAMBDA_BUNDLING, ...props.bundling };
    // Bundled once per entry and options by esbuild's API in this process (or found among the bundles
    // the synth made beforehand), else by NodejsFunction itself.
    const code = inProcessLambdaCode(this, spec.lambda.entry, bundling);
    const handler = spec.lambda.handler ?? 'handler';
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: spec.description,
      entry: spec.lambda.entry,
      code,
      handler: code && !handler.includes('.') ? `index.${handler}` : handler,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      environment,
      reservedConcurrentExecutions: spec.scaling?.max,
      adotInstrumentation: props.openTelemetry
        ? { layerVersion: lambda.AdotLayerVersion.fromJavaScriptSdkLayerVersion(lambda.AdotLambdaLayerJavaScriptSdkVersion.LATEST), execWrapper: lambda.AdotLambdaExecWrapper.REGULAR_HANDLER }
        : undefined,
      retryAttempts: 2,
      onFailure: {
        bind: (_scope, fn) => {
          failureQueue.grant(fn, 'sqs:SendMessage');
          key.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
          return { destination: failureQueue.queueArn };
        },
      },
      bundling,
    });
    // Callers invoke the alias, never the unqualified function; asynchronous failures of the alias go to the same queue.
    this.alias = new lambda.Alias(this, 'LiveAlias', {
      aliasName: LIVE_ALIAS,
      version: this.function.currentVersion,
      description: `The version of ${this.functionName} that takes traffic`,
      retryAttempts: 2,
      onFailure: { bind: () => ({ destination: failureQueue.queueArn }) },
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'Failed asynchronous invocations go to the on-failure destination queue, which records the request and the error; a DeadLetterConfig would keep a second, poorer copy.',
    });

    if (Stack.of(props.vpc) !== Stack.of(this)) {
      Validations.of(this.function).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason: 'The function is in the platform VPC, whose subnets are imported from the network stack (Fn::ImportValue); the guard rule accepts only literal subnet IDs or subnets in the same template, so it cannot see them.',
      });
    }

    if (this.eventStore) {
      // The projection: every appended event, in order per stream; a failed record is retried alone
      // (partial batch response, bisection), and after the retries its batch is recorded in the failure queue.
      this.alias.addEventSource(
        new sources.DynamoEventSource(this.eventStore, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: spec.eventSourcing?.projectionBatchSize ?? 10,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: 5,
          maxRecordAge: Duration.days(1),
          onFailure: new sources.SqsDlq(failureQueue),
        }),
      );
      const policy = this.role.node.tryFindChild('DefaultPolicy')!;
      const readModelId = Stack.of(this).resolve((this.readModel!.node.defaultChild as dynamodb.CfnTable).logicalId) as string;
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${readModelId}.Arn>/index/*]`,
        reason: 'List queries read the read model through its secondary indexes; the wildcard covers only the indexes of the service\'s own read-model table.',
      });
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${action} comes with sending failed stream batches to the service's failure queue (SqsDlq grants the queue's encrypt and decrypt actions); it is held to the service's own key.`,
        });
      }
    }
    if (props.eventBackbone) {
      this.failureAlarm = alarmWhenNotEmpty(this, 'FailedInvocationsAlarm', this.failureQueue, props.eventBackbone.alarmTopic,
        `${this.functionName}: an asynchronous invocation or a batch of its event store's stream failed after its retries; the record waits in the failure queue`);
    }
    this.grantPrincipal = this.role;
    this.connections = securityGroup.connections;
    this.discoveryAttributes = { runtime: 'lambda', functionName: this.functionName, functionArn: this.alias.functionArn };
    this.gatewayTarget = { handler: this.alias };
    this.invokeTarget = this.alias;
    this.eventHandlingTimeout = timeout;
    this.faultInjection = props.faultInjection ?? true;

    // Used on its own, the service wires itself to what it is given, through the same capabilities the platform uses.
    if (props.eventBackbone) this.eventConsumer = props.eventBackbone.connect(this);
    if (props.config) props.config.bindService(this, props.configMaxAgeSeconds);
    if (props.registry) this.registration = props.registry.register(this);

    // The wildcards that remain are each there because the API offers no resource-level permission.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only actions without resource-level permissions use Resource *: the EC2 network-interface actions Lambda needs to attach to the VPC, ' +
          'X-Ray PutTraceSegments/PutTelemetryRecords for active tracing, Cloud Map DiscoverInstances (held to the platform namespace by a condition), ' +
          'and, for a service fed by its event store, DynamoDB ListStreams (reading the stream itself is held to that stream\'s ARN).',
      });
    }
  }

  /** `<platform>-<env>-<service>`, the function's name. */
  public get deployedName(): string {
    return this.functionName;
  }


  /** The function's log group. */
  public get logGroups(): readonly logs.ILogGroup[] {
    return [this.logGroup];
  }

  /** Invocations, errors, p99 duration and throttles; the failure queue when no alarm watches it yet. */
  public get monitoringTarget(): MonitoringTarget {
    return lambdaMonitoring(this.function, this.failureAlarm ? [] : [this.failureQueue], { functionName: this.functionName });
  }

  /**
   * Function errors through the `live` alias (both versions while a canary splits traffic), summed per
   * minute. Named by the literal function and alias names, so an alarm elsewhere (the flags', the
   * platform's) takes no reference to the function and can never close a dependency cycle.
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensionsMap: { FunctionName: this.functionName, Resource: `${this.functionName}:${LIVE_ALIAS}` },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** Sets one more environment variable of the function. */
  public addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }

  /** A caller may invoke the `live` alias, the ARN it finds in the registry; no network rule is needed. */
  public allowCallsFrom(caller: DeployedService): void {
    this.grantInvoke(caller);
  }

  /** The queue feeds the `live` alias, with partial batch responses. */
  public receiveEvents(queue: sqs.IQueue): void {
    feedQueueToFunction(this, `${queue.node.id}Mapping`, queue, this.alias);
  }

  /** The canary deployment of the `live` alias, made when the first rollback alarm is added. */
  public get canaryDeployment(): LambdaCanaryDeployment | undefined {
    return this.canary;
  }

  /** A canary deployment of the `live` alias rolls back while the alarm fires. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.canary ??= new LambdaCanaryDeployment(this, 'Canary', { alias: this.alias });
    this.canary.addRollbackAlarm(alarm);
  }

  /** Delay and error experiments on the function (with the FIS extension), unless `faultInjection` is off. */
  public addChaosExperiments(experiments: () => ChaosExperiments, stopCondition: cloudwatch.IAlarm): void {
    if (this.faultInjection) experiments().addLambdaFaults(this, stopCondition);
  }

  /**
   * Lets the grantee invoke the service: `lambda:InvokeFunction` on exactly the `live` alias, which
   * is what callers find in the registry (so a canary deployment shifts their calls too).
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['lambda:InvokeFunction'], resourceArns: [this.alias.functionArn] });
  }
}
