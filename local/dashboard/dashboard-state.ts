/**
 * What the dashboard shows, gathered from the running platform in one JSON document: the services
 * (runtime, routes, health, last log lines), recent requests at the edge with their correlation
 * ids, events on the bus, queue depths and dead letters, saga executions step by step, and recent
 * invocations.
 */
import type { LocalPlatform } from '../local-platform';

export interface ServiceState {
  readonly name: string;
  readonly runtime: string;
  readonly description?: string;
  readonly routes: readonly string[];
  /** `up` when its process answers (a container's health check, a function's worker alive). */
  readonly health: 'up' | 'down';
  readonly address?: string;
  readonly publishes: readonly string[];
  readonly consumes: readonly string[];
  readonly calls: readonly string[];
  readonly logs: readonly { readonly at: string; readonly text: string }[];
}

export interface DashboardState {
  readonly edge: string;
  readonly services: readonly ServiceState[];
  readonly requests: LocalPlatform['edge']['requests'];
  readonly events: readonly { readonly id: string; readonly type: string; readonly source: string; readonly time: string; readonly matchedRules: readonly string[] }[];
  readonly queues: readonly { readonly name: string; readonly visible: number; readonly inFlight: number; readonly deadLetterQueue?: string; readonly isDeadLetterQueue: boolean }[];
  readonly executions: LocalPlatform['stateMachines']['executions'];
  readonly invocations: LocalPlatform['functions']['invocations'];
}

export async function dashboardState(platform: LocalPlatform): Promise<DashboardState> {
  const health = await Promise.all(
    platform.model.services.map(async (spec) => {
      const container = platform.containers.list().find((running) => running.container.service === spec.name);
      if (container !== undefined) {
        const ok = await fetch(`${container.url}${container.container.healthCheckPath}`, { signal: AbortSignal.timeout(1000) }).then((response) => response.status === 200, () => false);
        return ok ? 'up' : 'down';
      }
      return platform.functions.isRunning(spec.name) ? 'up' : 'down';
    }),
  );
  const deadLetterQueues = new Set(platform.model.queues.flatMap((queue) => (queue.deadLetter === undefined ? [] : [queue.deadLetter.queueName])));
  return {
    edge: platform.edge.url,
    services: platform.model.services.map((spec, i) => ({
      name: spec.name,
      runtime: spec.runtime,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      routes: platform.model.routes.filter((route) => route.service === spec.name).map((route) => `${route.method} ${route.path}`),
      health: health[i],
      ...(platform.containers.urlOf(spec.name) === undefined ? {} : { address: platform.containers.urlOf(spec.name) }),
      publishes: spec.events?.publishes ?? [],
      consumes: spec.events?.consumes ?? [],
      calls: spec.calls ?? [],
      logs: platform.logs.last(spec.name, 8).map((line) => ({ at: line.at, text: line.text })),
    })),
    requests: platform.edge.requests.slice(-30),
    events: platform.bus.events.slice(-30).map((event) => ({ id: event.envelope.id, type: event.envelope['detail-type'], source: event.envelope.source, time: event.envelope.time, matchedRules: event.matchedRules })),
    queues: [...platform.queueUrls].map(([name, url]) => {
      const messages = platform.queues.messages(url);
      const queue = platform.model.queues.find((candidate) => candidate.name === name);
      return {
        name,
        visible: messages.filter((message) => !message.inFlight).length,
        inFlight: messages.filter((message) => message.inFlight).length,
        ...(queue?.deadLetter === undefined ? {} : { deadLetterQueue: queue.deadLetter.queueName }),
        isDeadLetterQueue: deadLetterQueues.has(name),
      };
    }),
    executions: platform.stateMachines.executions.slice(-10),
    invocations: platform.functions.invocations.slice(-30),
  };
}
