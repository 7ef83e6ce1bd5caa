import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import type { DeployedService } from '../runtimes/service-runtime';
import { EventConsumer } from './event-consumer';
import { createEncryptedAlarmTopic } from '../observability/encrypted-alarm-topic';
import type { EncryptionKey } from '../security/encryption-key';

/** Props of an EventBackbone. */
export interface EventBackboneProps {
  /** Name of the event bus, e.g. `shop-dev-events`. */
  readonly busName: string;
  /**
   * How long the archive keeps every event on the bus, for replay (whole days, at least one).
   * @default Duration.days(90)
   */
  readonly archiveRetention?: Duration;
  /**
   * Topic that alarms of the backbone (such as a dead-letter queue that is not empty) notify.
   * @default - a new topic encrypted with the backbone's key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Keep the key when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
}

/**
 * The platform's domain-event backbone: an EventBridge bus that services publish to, an archive of
 * every event for replay, and the topic that messaging alarms notify. Consumers subscribe with an
 * `EventConsumer` each (queue, dead-letter queue, alarm), made next to the consuming service.
 */
export class EventBackbone extends Construct {
  /** The bus domain events are published to. */
  public readonly bus: events.EventBus;
  /** The archive of everything published to the bus. */
  public readonly archive: events.Archive;
  /** Alarms about messaging (dead letters, failed sagas) notify this topic. */
  public readonly alarmTopic: sns.ITopic;
  /** The key of the alarm topic, when the backbone made the topic. */
  public readonly encryptionKey?: EncryptionKey;
  private readonly retainData: boolean;

  constructor(scope: Construct, id: string, props: EventBackboneProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(props.busName) || props.busName === 'default') {
      throw ConstructPropError.of(this, 'busName', `'${props.busName}' must be 1 to 256 letters, digits, dots, hyphens or underscores, and not 'default'`);
    }
    this.retainData = props.retainData ?? false;
    const retention = props.archiveRetention ?? Duration.days(90);
    const DAY_MS = 24 * 60 * 60 * 1000;
    if (!retention.isUnresolved() && (retention.toMilliseconds() < DAY_MS || retention.toMilliseconds() % DAY_MS !== 0)) {
      throw ConstructPropError.of(this, 'archiveRetention', `is ${retention.toHumanString()}; give whole days, and keep events at least one day so they can be replayed`);
    }

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName, description: 'Domain events of the platform services' });
    this.archive = this.bus.archive('Archive', {
      description: `Every event on ${props.busName}, for replay`,
      eventPattern: { account: [this.bus.env.account] },
      retention,
    });

    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const { topic, encryptionKey } = createEncryptedAlarmTopic(this, { purpose: `the messaging alarms of ${props.busName}`, displayName: `Alarms of ${props.busName}`, retain: props.retainData });
      this.encryptionKey = encryptionKey;
      this.alarmTopic = topic;
    }
  }

  /**
   * Wires a deployed service of any runtime to the bus from its spec: a publisher may put events on
   * the bus (`EVENT_BUS_NAME`); a consumer gets an `EventConsumer` of its own (rule, queue,
   * dead-letter queue and alarm), made in its scope, whose queue the service receives.
   */
  public connect(service: DeployedService): EventConsumer | undefined {
    const events = service.spec.events ?? {};
    if (events.publishes?.length) {
      this.grantPublish(service);
      service.addEnvironment(SERVICE_ENVIRONMENT.eventBusName, this.bus.eventBusName);
    }
    if (!events.consumes?.length) return undefined;
    return new EventConsumer(service, 'Events', {
      bus: this.bus,
      eventTypes: events.consumes,
      consumer: service,
      consumerTimeout: service.eventHandlingTimeout,
      encryptionKey: service.dataKey,
      alarmTopic: this.alarmTopic,
      removalPolicy: this.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  /** Lets the grantee publish events to the bus. */
  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.bus.grantPutEventsTo(grantee);
  }
}

