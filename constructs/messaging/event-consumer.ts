import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { DeadLetterQueue } from './dead-letter-queue';
import { referToKeyByAlias } from '../security/encryption-key';

/** Visibility timeout of a consumer queue, as a multiple of the consumer's timeout (AWS's guidance for Lambda). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** Something that takes the messages of a queue: a deployed service of any runtime. */
export interface EventReceiver extends IConstruct {
  /** Hands it the queue: it reads the messages and deletes those it handled (a Lambda function through an event source mapping). */
  receiveEvents(queue: sqs.IQueue): void;
}

/** Props of an EventConsumer. */
export interface EventConsumerProps {
  /** The bus the events are published to. */
  readonly bus: events.IEventBus;
  /** The event types (`detail-type`) the consumer receives. */
  readonly eventTypes: string[];
  /**
   * The consumer: a function (it must answer with a partial batch response, `batchItemFailures`),
   * or a receiver that takes the queue itself (a deployed service of any runtime).
   */
  readonly consumer: lambda.IFunction | EventReceiver;
  /** The consuming function's timeout; the queue's visibility timeout is derived from it. */
  readonly consumerTimeout: Duration;
  /** Key that encrypts the queue and its dead-letter queue (the consuming service's own key). */
  readonly encryptionKey: kms.IKey;
  /** Topic the dead-letter alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Receives before a message is moved to the dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * Messages handed to one invocation (1 to 10000; above 10 needs `maxBatchingWindow`).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Visibility timeout of the queue; at least six times `consumerTimeout`.
   * @default - six times `consumerTimeout`
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Remove the queues when the stack is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * One consumer's subscription to the bus: a rule for its event types, an encrypted queue that
 * feeds its function with partial batch responses (one bad message never fails the others), a
 * dead-letter queue for messages that keep failing, and an alarm with an action when it is not empty.
 */
export class EventConsumer extends Construct {
  /** The queue the rule delivers to and the function reads. */
  public readonly queue: sqs.Queue;
  /** Messages that failed `maxReceiveCount` times, or that the bus could not deliver. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The rule that routes the event types to the queue. */
  public readonly rule: events.Rule;
  /** Fires when the dead-letter queue holds a message. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Feeds the queue to the consumer, with partial batch responses, when the consumer is a function (a receiver makes its own). */
  public readonly eventSourceMapping?: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: EventConsumerProps) {
    super(scope, id);
    if (props.eventTypes.length === 0) {
      throw ConstructPropError.of(this, 'eventTypes', 'is empty; list at least one event type to consume');
    }
    const minimum = Duration.seconds(props.consumerTimeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
    const visibilityTimeout = props.visibilityTimeout ?? minimum;
    if (visibilityTimeout.toSeconds() < minimum.toSeconds()) {
      throw ConstructPropError.of(this, 'visibilityTimeout', `is ${visibilityTimeout.toSeconds()} s; it must be at least ${VISIBILITY_TIMEOUT_FACTOR} times the consumer's timeout (${props.consumerTimeout.toSeconds()} s), i.e. ${minimum.toSeconds()} s`);
    }
    if (visibilityTimeout.toSeconds() > 43200) {
      throw ConstructPropError.of(this, 'visibilityTimeout', `is ${visibilityTimeout.toSeconds()} s; SQS allows at most 43200 s (12 hours)`);
    }
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw ConstructPropError.of(this, 'maxReceiveCount', `is ${maxReceiveCount}; expected a whole number from 1 to 1000`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const encryption = { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey, enforceSSL: true, removalPolicy };

    const deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      receivesFromEventBridge: true,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      description: `Messages for ${props.consumer.node.path} failed ${maxReceiveCount} times or could not be delivered`,
      removalPolicy,
    });
    this.deadLetterQueue = deadLetters.queue;
    this.deadLetterAlarm = deadLetters.alarm;
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    referToKeyByAlias(this.queue.node.defaultChild as sqs.CfnQueue, 'KmsMasterKeyId', props.encryptionKey);

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${props.eventTypes.join(', ')} to ${this.node.path}`,
      eventPattern: { detailType: props.eventTypes },
      targets: [new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    if (isReceiver(props.consumer)) props.consumer.receiveEvents(this.queue);
    else this.eventSourceMapping = feedQueueToFunction(this, 'Mapping', this.queue, props.consumer, props.batchSize);
  }
}

function isReceiver(consumer: lambda.IFunction | EventReceiver): consumer is EventReceiver {
  return typeof (consumer as EventReceiver).receiveEvents === 'function';
}

/**
 * Feeds a queue to a function with partial batch responses (one bad message never fails the others),
 * and lets the function consume it. Made in `scope`.
 */
export function feedQueueToFunction(scope: Construct, id: string, queue: sqs.IQueue, fn: lambda.IFunction, batchSize = 10): lambda.EventSourceMapping {
  const mapping = new lambda.EventSourceMapping(scope, id, {
    target: fn,
    eventSourceArn: queue.queueArn,
    batchSize,
    reportBatchItemFailures: true,
  });
  queue.grantConsumeMessages(fn);
  Validations.of(mapping).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason: 'For an SQS source the failure destination is the queue\'s redrive policy: messages that fail maxReceiveCount times move to the dead-letter queue, watched by an alarm (SQS mappings take no OnFailure destination).',
  });
  return mapping;
}
