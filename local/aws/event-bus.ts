/**
 * The local event bus: answers EventBridge's `PutEvents` (JSON 1.1) for the bus the services
 * publish to, and delivers each event to the targets of every synthesized rule whose pattern it
 * matches: a queue gets the event's envelope as its message (as EventBridge sends it to SQS), a
 * state machine an execution with the rule's input transformer applied. Events are kept for the
 * dashboard, with the rules they matched.
 */
import { randomUUID } from 'node:crypto';
import type { LocalRule } from '../assembly/platform-model';
import { startJsonProtocolServer } from './local-http-server';
import { matchesPattern, unsupportedFilter } from './event-pattern';

/** An event as delivered: EventBridge's envelope. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: unknown;
}

/** An event the bus received, and the rules it matched. */
export interface BusRecord {
  readonly envelope: EventEnvelope;
  readonly busName: string;
  readonly matchedRules: readonly string[];
}

/** Where the bus delivers. */
export interface BusTargets {
  sendToQueue(queueName: string, body: string): void;
  startExecution(stateMachineName: string, input: unknown): void;
}

export interface LocalEventBus {
  readonly endpoint: string;
  /** The newest events, oldest first. */
  readonly events: readonly BusRecord[];
  stop(): Promise<void>;
}

export async function startLocalEventBus(props: { readonly rules: readonly LocalRule[]; readonly targets: BusTargets; readonly region: string; readonly account: string }): Promise<LocalEventBus> {
  const problems = props.rules.flatMap((rule) => {
    const problem = unsupportedFilter(rule.eventPattern);
    return problem === undefined ? [] : [`rule ${rule.name}: its event pattern uses ${problem}, which the local bus does not match`];
  });
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const events: BusRecord[] = [];

  const deliver = (busName: string, envelope: EventEnvelope) => {
    const matched = props.rules.filter((rule) => matchesPattern(rule.eventPattern, envelope));
    events.push({ envelope, busName, matchedRules: matched.map((rule) => rule.name) });
    if (events.length > 200) events.splice(0, events.length - 200);
    for (const rule of matched) {
      for (const target of rule.targets) {
        if (target.kind === 'queue') props.targets.sendToQueue(target.queueName, JSON.stringify(envelope));
        else props.targets.startExecution(target.stateMachineName, transformInput(target.inputPathsMap, target.inputTemplate, envelope));
      }
    }
  };

  const server = await startJsonProtocolServer((target, body) => {
    if (target !== 'AWSEvents.PutEvents') {
      return { status: 400, body: { __type: 'UnknownOperationException', message: `the local bus answers only AWSEvents.PutEvents, not ${target}` } };
    }
    const entries = ((body as { Entries?: unknown }).Entries ?? []) as { EventBusName?: string; Source?: string; DetailType?: string; Detail?: string; Resources?: string[] }[];
    const results = entries.map((entry) => {
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? '');
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (!entry.Source || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source and DetailType are required.' };
      const envelope: EventEnvelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: props.account,
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: props.region,
        resources: entry.Resources ?? [],
        detail,
      };
      deliver(entry.EventBusName ?? 'default', envelope);
      return { EventId: envelope.id };
    });
    return { status: 200, body: { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results } };
  });

  return { endpoint: server.endpoint, events, stop: () => server.stop() };
}

/** A rule target's input transformer applied to an event: each `<name>` of the template replaced by the JSON at its path. */
export function transformInput(inputPathsMap: Readonly<Record<string, string>>, inputTemplate: string, envelope: EventEnvelope): unknown {
  const text = inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, name: string) => {
    if (name === 'aws.events.event') return JSON.stringify(envelope);
    const jsonPath = inputPathsMap[name];
    if (jsonPath === undefined) return whole;
    const value = jsonPath
      .replace(/^\$\.?/, '')
      .split('.')
      .filter((part) => part !== '')
      .reduce<unknown>((current, part) => (current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined), envelope);
    return JSON.stringify(value ?? null);
  });
  return JSON.parse(text);
}
