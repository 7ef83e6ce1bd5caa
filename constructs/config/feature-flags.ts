import { Duration, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import type { ServiceSpecBase } from '../model/service-spec';
import type { DeployedService } from '../runtimes/service-runtime';
import { createEncryptedAlarmTopic } from '../observability/encrypted-alarm-topic';

/** A service whose flags are hosted, and the function whose health rolls a bad deployment back. */
export interface FlaggedService {
  /** The spec; its `featureFlags` are the initial values. */
  readonly spec: ServiceSpecBase;
  /**
   * Name of the service's Lambda function (its `Errors` count towards the rollback alarm).
   * @default - not a Lambda service: only its degraded responses count
   */
  readonly functionName?: string;
  /**
   * The service's failed requests (a deployed service's `metricErrors()`); they count towards the
   * rollback alarm. Takes the place of `functionName`.
   * @default - from `functionName`, else only its degraded responses count
   */
  readonly errors?: cloudwatch.IMetric;
}

/** How a flag change rolls out. */
export interface FlagRollout {
  /** Percent of the targets given the new flags at each step. */
  readonly growthFactor: number;
  /** Time over which the rollout reaches every target. */
  readonly duration: Duration;
  /** Time the alarms are watched after the last step before the deployment is complete. */
  readonly finalBakeTime: Duration;
}

/** Props of FeatureFlags. */
export interface FeatureFlagsProps {
  /** Name of the AppConfig application, e.g. `shop-dev`. */
  readonly applicationName: string;
  /** Name of the AppConfig environment, e.g. `dev`. */
  readonly environmentName: string;
  /** CloudWatch namespace the services' metrics (Powertools, dimension `service`) are in: the platform name. */
  readonly metricsNamespace: string;
  /** The services with feature flags. */
  readonly services: readonly FlaggedService[];
  /**
   * Failed invocations plus degraded responses, per minute, at which a flag deployment rolls back.
   * @default 5
   */
  readonly rollbackThreshold?: number;
  /**
   * How a change rolls out.
   * @default - linear, 20 % of targets per step over 10 minutes, then 10 minutes of baking
   */
  readonly rollout?: FlagRollout;
  /**
   * Topic the rollback alarms notify (the platform's alert topic).
   * @default - a topic of its own, encrypted with `encryptionKey`
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Key for the alarm topic made when no `alarmTopic` is given.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Keep the key when the stack is deleted.
   * @default false
   */
  readonly retain?: boolean;
}

/** The JSON schema AppConfig checks a flags document against before it deploys it. */
export function flagSchemaOf(flags: Readonly<Record<string, boolean>>): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'boolean' }])),
    required: Object.keys(flags),
    additionalProperties: false,
  };
}

/**
 * Feature flags on AWS AppConfig: one application and environment for the platform, and for each
 * service with flags a hosted configuration profile (its flags, checked by a JSON-schema validator)
 * deployed with a gradual strategy. Each service has an alarm on its failed invocations and
 * degraded responses; the environment watches the alarms, so a flag change that hurts a service is
 * rolled back by AppConfig. The alarms also notify an encrypted SNS topic.
 */
export class FeatureFlags extends Construct {
  /** The AppConfig application. */
  public readonly application: appconfig.Application;
  /** The AppConfig environment the flags are deployed to. */
  public readonly environment: appconfig.Environment;
  /** The rollout strategy of every flag change. */
  public readonly deploymentStrategy: appconfig.DeploymentStrategy;
  /** Each service's configuration profile, by service name. */
  public readonly profiles: ReadonlyMap<string, appconfig.HostedConfiguration>;
  /** Each service's rollback alarm, by service name. */
  public readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Where the alarms notify. */
  public readonly alarmTopic: sns.ITopic;
  readonly #applicationName: string;
  readonly #environmentName: string;

  constructor(scope: Construct, id: string, props: FeatureFlagsProps) {
    super(scope, id);
    if (props.services.length === 0) throw ConstructPropError.of(this, 'services', 'is empty; give at least one service with featureFlags');
    for (const { spec } of props.services) {
      if (spec.featureFlags === undefined || Object.keys(spec.featureFlags).length === 0) {
        throw ConstructPropError.of(this, `services[${spec.name}]`, 'declares no featureFlags');
      }
    }
    const threshold = props.rollbackThreshold ?? 5;
    if (!Number.isInteger(threshold) || threshold < 1) throw ConstructPropError.of(this, 'rollbackThreshold', `is ${threshold}; expected a whole number from 1`);
    const rollout = props.rollout ?? { growthFactor: 20, duration: Duration.minutes(10), finalBakeTime: Duration.minutes(10) };
    if (!(rollout.growthFactor >= 1 && rollout.growthFactor <= 100)) throw ConstructPropError.of(this, 'rollout.growthFactor', `is ${rollout.growthFactor}; expected a percentage from 1 to 100`);
    this.#applicationName = props.applicationName;
    this.#environmentName = props.environmentName;

    this.alarmTopic = props.alarmTopic ?? this.createAlarmTopic(props);

    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const { spec, functionName, errors: givenErrors } of props.services) {
      const errors = givenErrors ?? (functionName === undefined ? undefined : new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: functionName }, statistic: 'Sum' }));
      const alarm = new cloudwatch.Alarm(this, `${spec.name}Rollback`, {
        alarmName: `${props.applicationName}-${spec.name}-flag-rollback`,
        alarmDescription: `Failed invocations plus degraded responses of ${spec.name}; a feature flag deployment rolls back while it is in alarm`,
        metric: new cloudwatch.MathExpression({
          expression: errors === undefined ? 'FILL(degraded, 0)' : 'FILL(errors, 0) + FILL(degraded, 0)',
          usingMetrics: {
            ...(errors === undefined ? {} : { errors }),
            degraded: new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName: 'DegradedResponses', dimensionsMap: { service: spec.name }, statistic: 'Sum' }),
          },
          period: Duration.minutes(1),
          label: `${spec.name} failures`,
        }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      alarm.addOkAction(new cloudwatchActions.SnsAction(this.alarmTopic));
      alarms.set(spec.name, alarm);
    }
    this.alarms = alarms;

    // AppConfig reads the alarms' state with a role of its own, held to these alarms.
    const alarmRole = new iam.Role(this, 'AlarmRole', {
      assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
      description: `Lets AppConfig read the rollback alarms of ${props.applicationName}`,
    });
    alarmRole.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [...alarms.values()].map((alarm) => alarm.alarmArn) }));

    this.application = new appconfig.Application(this, 'Application', {
      applicationName: props.applicationName,
      description: `Feature flags of ${props.applicationName}`,
    });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      environmentName: props.environmentName,
      description: 'Rolls a flag deployment back while a rollback alarm is in alarm',
      monitors: [...alarms.values()].map((alarm) => appconfig.Monitor.fromCloudWatchAlarm(alarm, alarmRole)),
    });
    this.deploymentStrategy = new appconfig.DeploymentStrategy(this, 'Rollout', {
      deploymentStrategyName: `${props.applicationName}-flags-gradual`,
      description: 'Gradual rollout of feature flags, watched by the rollback alarms',
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: rollout.growthFactor,
        deploymentDuration: rollout.duration,
        finalBakeTime: rollout.finalBakeTime,
      }),
    });

    const profiles = new Map<string, appconfig.HostedConfiguration>();
    for (const { spec } of props.services) {
      const flags = spec.featureFlags!;
      profiles.set(spec.name, new appconfig.HostedConfiguration(this, `${spec.name}Flags`, {
        application: this.application,
        name: spec.name,
        description: `Feature flags of ${spec.name}`,
        type: appconfig.ConfigurationType.FREEFORM,
        content: appconfig.ConfigurationContent.fromInlineJson(JSON.stringify(flags)),
        validators: [appconfig.JsonSchemaValidator.fromInline(JSON.stringify(flagSchemaOf(flags)))],
        deploymentStrategy: this.deploymentStrategy,
        deployTo: [this.environment],
      }));
    }
    this.profiles = profiles;
  }

  /** The environment variables that point a service at its flags (names, not addresses). */
  public environmentFor(serviceName: string): Record<string, string> {
    this.profileOf(serviceName);
    return {
      [SERVICE_ENVIRONMENT.featureFlagsApplication]: this.#applicationName,
      [SERVICE_ENVIRONMENT.featureFlagsEnvironment]: this.#environmentName,
      [SERVICE_ENVIRONMENT.featureFlagsProfile]: serviceName,
    };
  }

  /** Lets a deployed service of any runtime read its own flags, and points its code at them. */
  public bindService(service: DeployedService): void {
    for (const [name, value] of Object.entries(this.environmentFor(service.spec.name))) service.addEnvironment(name, value);
    this.grantRead(service.spec.name, service);
  }

  /** Lets the grantee read one service's flags, and only those. */
  public grantRead(serviceName: string, grantee: iam.IGrantable): iam.Grant {
    const profile = this.profileOf(serviceName);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resourceArns: [Stack.of(this).formatArn({
        service: 'appconfig',
        resource: 'application',
        resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${profile.configurationProfileId}`,
      })],
    });
  }

  private profileOf(serviceName: string): appconfig.HostedConfiguration {
    const profile = this.profiles.get(serviceName);
    if (profile === undefined) throw ConstructPropError.of(this, 'services', `has no service named '${serviceName}' with feature flags`);
    return profile;
  }

  private createAlarmTopic(props: FeatureFlagsProps): sns.Topic {
    return createEncryptedAlarmTopic(this, { purpose: `the feature flag alarms of ${props.applicationName}`, displayName: `${props.applicationName} feature flag alarms`, retain: props.retain }).topic;
  }
}
