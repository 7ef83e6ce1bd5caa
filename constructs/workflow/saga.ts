import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DeadLetterQueue } from '../messaging/dead-letter-queue';
import { ConstructPropError } from '../model/errors';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { EncryptionKey } from '../security/encryption-key';

/** A function and the action it is asked to perform. */
export interface SagaAction {
  /** The participant's function; invoked with `{ action, detail, results, failure? }`. */
  readonly function: lambda.IFunction;
  /** The action, e.g. `reserveStock`. */
  readonly action: string;
}

/** A forward step and the action that undoes it. */
export interface SagaStep {
  /** PascalCase step name; its result is kept at `$.results.<name>`. */
  readonly name: string;
  /** The forward action. */
  readonly invoke: SagaAction;
  /** The action that undoes it; it must do nothing when there is nothing to undo. */
  readonly compensate: SagaAction;
}

/** The event that starts a saga. */
export interface SagaTrigger {
  /** The bus the event is published to. */
  readonly bus: events.IEventBus;
  /** Its type (`detail-type`). */
  readonly eventType: string;
}

/** Props of a Saga. */
export interface SagaProps {
  /** Name of the state machine, e.g. `shop-dev-place-order`. */
  readonly stateMachineName: string;
  /** Forward steps, in order. */
  readonly steps: SagaStep[];
  /** Completes the transaction after every step succeeded. */
  readonly complete: SagaAction;
  /** Records the failure (with `failure.Error` and `failure.Cause`) after the compensations ran. */
  readonly reject: SagaAction;
  /** The event that starts an execution; its detail becomes the state's `detail`. */
  readonly trigger: SagaTrigger;
  /**
   * Key for the state machine's data, its execution logs and its dead-letter queue.
   * @default - a new key for this saga
   */
  readonly encryptionKey?: kms.IKey;
  /** Topic that the alarm on failed executions (a compensation that could not run) notifies. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Error names a participant may raise that are worth retrying, besides Lambda's own transient errors.
   * @default ['TransientError', 'ConcurrencyConflictError', 'IdempotencyAlreadyInProgressError']
   */
  readonly transientErrors?: string[];
  /**
   * Attempts of a forward action on a transient error, with exponential backoff.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Longest an execution may run.
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * Log retention (at least one year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep the logs when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/** Errors of the Lambda service itself, which a retry may cure. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Name of the state that ends an execution whose compensation could not run. */
export const COMPENSATION_FAILED = 'CompensationFailed';

/**
 * A saga on Step Functions: the forward steps run in order; a transient error is retried with
 * exponential backoff and jitter; any other error (a business refusal, or retries exhausted) is
 * caught and the compensations run in reverse order, starting with the failing step's own (so a
 * step that half-happened is undone too; compensations do nothing when there is nothing to undo),
 * then `reject` records the reason. Compensations retry every error; if one still fails, the
 * execution fails (`CompensationFailed`) and an alarm notifies the topic.
 *
 * Every event of every execution is logged (with its data, to an encrypted log group) and traced with X-Ray.
 */
export class Saga extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The execution log group. */
  public readonly logGroup: logs.ILogGroup;
  /** Fires when an execution fails, i.e. a compensation could not run. */
  public readonly failedExecutionsAlarm: cloudwatch.Alarm;
  /** The rule that starts an execution per triggering event. */
  public readonly trigger: events.Rule;
  /** Events that could not start an execution after EventBridge's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Fires when the dead-letter queue holds an event. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** The key of the state machine's data, logs and dead-letter queue. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    if (props.steps.length === 0) throw ConstructPropError.of(this, 'steps', 'is empty; a saga needs at least one step');
    const names = new Set<string>(['Complete', 'Reject']);
    for (const step of props.steps) {
      if (!/^[A-Z][A-Za-z0-9]{0,63}$/.test(step.name)) throw ConstructPropError.of(this, 'steps', `has the step name '${step.name}'; expected PascalCase`);
      if (names.has(step.name)) throw ConstructPropError.of(this, 'steps', `uses the name '${step.name}' twice (Complete and Reject are taken)`);
      names.add(step.name);
    }
    const maxAttempts = props.maxAttempts ?? 3;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 10) {
      throw ConstructPropError.of(this, 'maxAttempts', `is ${maxAttempts}; expected a whole number from 1 to 10`);
    }
    const transient = [...LAMBDA_TRANSIENT_ERRORS, 'States.Timeout', ...(props.transientErrors ?? ['TransientError', 'ConcurrencyConflictError', 'IdempotencyAlreadyInProgressError'])];

    const invoke = (stateName: string, action: SagaAction, resultPath: string, withFailure: boolean) =>
      new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: action.function,
        payload: sfn.TaskInput.fromObject({
          action: action.action,
          'detail.$': '$.detail',
          'results.$': '$.results',
          ...(withFailure ? { 'failure.$': '$.failure' } : {}),
        }),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        resultPath,
      });

    const compensationFailed = new sfn.Fail(this, COMPENSATION_FAILED, {
      stateName: COMPENSATION_FAILED,
      error: 'CompensationFailed',
      cause: 'A compensation failed after its retries; the transaction is half undone and needs a person.',
    });
    // Compensations must run: every error is retried, longer than a forward step is.
    const compensating = (task: tasks.LambdaInvoke) =>
      task
        .addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL })
        .addCatch(compensationFailed, { resultPath: '$.compensationFailure' });

    const rejected = new sfn.Succeed(this, 'Rejected', { stateName: 'Rejected', comment: 'Compensated and rejected; the reason is in $.failure' });
    const reject = compensating(invoke('Reject', props.reject, sfn.JsonPath.DISCARD, true)).next(rejected);

    // Compensation chain, first step last: Compensate<N> -> ... -> Compensate<1> -> Reject.
    const compensations: sfn.IChainable[] = [];
    let next: sfn.IChainable = reject;
    props.steps.forEach((step) => {
      const task = compensating(invoke(`Compensate${step.name}`, step.compensate, sfn.JsonPath.DISCARD, true));
      task.next(next);
      compensations.push(task);
      next = task;
    });

    const forward = (stateName: string, action: SagaAction, resultPath: string, onFailure: sfn.IChainable) =>
      invoke(stateName, action, resultPath, false)
        .addRetry({ errors: transient, interval: Duration.seconds(1), backoffRate: 2, maxAttempts, maxDelay: Duration.seconds(20), jitterStrategy: sfn.JitterType.FULL })
        .addCatch(onFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });

    const steps = props.steps.map((step, i) => forward(step.name, step.invoke, `$.results.${step.name}`, compensations[i]));
    const complete = forward('Complete', props.complete, '$.results.Complete', compensations[compensations.length - 1]).next(
      new sfn.Succeed(this, 'Completed', { stateName: 'Completed' }),
    );
    let definition: sfn.Chain = sfn.Chain.start(steps[0]);
    for (const step of steps.slice(1)) definition = definition.next(step);
    definition = definition.next(complete);

    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // Its own key by default: Step Functions' customer managed encryption names the state machine in the
    // key's policy, so a key in a stack the saga's stack depends on would have to refer back to it.
    this.encryptionKey = props.encryptionKey ?? new EncryptionKey(this, 'Key', { description: `Encrypts the data and logs of ${props.stateMachineName}`, retain: props.retainData }).key;
    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention,
      retain: props.retainData,
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
    }).logGroup;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.minutes(5),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(this.encryptionKey, Duration.minutes(5)),
      removalPolicy,
    });

    const deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      receivesFromEventBridge: true,
      encryptionKey: this.encryptionKey,
      alarmTopic: props.alarmTopic,
      description: `${props.trigger.eventType} events could not start ${props.stateMachineName}`,
      removalPolicy,
    });
    const rolePolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (rolePolicy) {
      const functions = [...props.steps.flatMap((step) => [step.invoke, step.compensate]), props.complete, props.reject].map((action) => action.function);
      for (const fn of new Set(functions)) {
        const id = Stack.of(this).resolve((fn.node.defaultChild as CfnElement | undefined)?.logicalId) as string | undefined;
        if (id === undefined) continue;
        Validations.of(rolePolicy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${id}.Arn>:*]`,
          reason: 'The state machine may invoke the participant function\'s versions and aliases (`<arn>:*`), which the Step Functions Lambda integration grants alongside the function itself; nothing else.',
        });
      }
      Validations.of(rolePolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Only the X-Ray actions of active tracing (PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) use Resource *, as X-Ray has no resource-level permissions.',
      });
    }
    this.deadLetterQueue = deadLetters.queue;
    this.deadLetterAlarm = deadLetters.alarm;
    const startRole = new iam.Role(this, 'StartRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com'), description: `Starts ${props.stateMachineName} on ${props.trigger.eventType}` });
    this.grantStartExecution(startRole);
    this.trigger = new events.Rule(this, 'Trigger', {
      eventBus: props.trigger.bus,
      description: `${props.trigger.eventType} starts ${props.stateMachineName}`,
      eventPattern: { detailType: [props.trigger.eventType] },
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ detail: events.EventField.fromPath('$.detail'), results: {} }),
          role: startRole,
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    this.failedExecutionsAlarm = new cloudwatch.Alarm(this, 'FailedExecutionsAlarm', {
      alarmDescription: `An execution of ${props.stateMachineName} failed or timed out: a compensation could not run`,
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: { failed: this.stateMachine.metricFailed({ statistic: 'Sum' }), timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }) },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failedExecutionsAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
    this.failedExecutionsAlarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
  }

  /** Lets the grantee start executions (including the key use that the encrypted state machine requires). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
    return this.stateMachine.grantStartExecution(grantee);
  }
}
