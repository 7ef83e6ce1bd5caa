/**
 * The process entry every container service shares: telemetry first (the server's instruments take
 * the providers when it is created), then the service's own start-up (settings, clients), then the
 * server on `PORT`, which on SIGTERM keeps serving for `PRE_STOP_SECONDS` while its health check
 * fails, then drains within `DRAIN_SECONDS` and flushes buffered spans and metrics before the
 * process exits. A start-up that fails is logged as `could not start` and ends
 * the process with 1, so a miswired task or pod fails visibly instead of serving half-configured.
 * A service that consumes events receives them from its queue beside the server (`queue-consumer.ts`),
 * stops receiving on SIGTERM and finishes the batch in hand before the process exits.
 *
 * Environment: `PORT` (default 8080), `PRE_STOP_SECONDS` (default 0), `DRAIN_SECONDS` (default 10), `POWERTOOLS_SERVICE_NAME` /
 * `POWERTOOLS_LOG_LEVEL` for the logs, the `OTEL_*` settings of `telemetry.ts`, and `EVENT_QUEUE_URL`
 * when the service gives `events`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_ENVIRONMENT } from '../../constructs/model/service-contract';
import { numberFromEnv } from '../environment';
import type { EventSchemas } from '../events';
import { ContainerHttpServer, type ProxyHandler } from './http-server';
import { type ContainerEvents, eventQueueConsumer } from './queue-consumer';
import { startTelemetry } from './telemetry';

/** What a service gives the shared entry. */
export interface ContainerProcessProps<E extends EventSchemas = EventSchemas> {
  /** The service's name, for the logs when `POWERTOOLS_SERVICE_NAME` is not set. */
  readonly serviceName: string;
  /** The routes the handler serves, as in the spec. */
  readonly routes: readonly string[];
  /**
   * The health path the server answers itself.
   * @default '/health'
   */
  readonly healthPath?: string;
  /** Reads the settings and makes the clients, then returns the handler; throwing stops the process. */
  start(logger: Logger): Promise<ProxyHandler> | ProxyHandler;
  /**
   * The events the service consumes (`events.consumes` in its spec): its event catalog and their
   * handlers. The process then receives them from `EVENT_QUEUE_URL` and does not start without it.
   * @default - the process consumes no events
   */
  readonly events?: ContainerEvents<E>;
}

/** Runs the process; call once, from the service's `server.ts`. */
export function runContainerProcess<E extends EventSchemas>(props: ContainerProcessProps<E>): void {
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? props.serviceName });
  serve(props, logger).catch((error: unknown) => {
    logger.error('could not start', error as Error);
    process.exit(1);
  });
}

async function serve<E extends EventSchemas>(props: ContainerProcessProps<E>, logger: Logger): Promise<void> {
  const telemetry = startTelemetry();
  const port = numberFromEnv('PORT', 8080);
  const consumer = props.events === undefined ? undefined : eventQueueConsumer(props.events, logger);
  const server = new ContainerHttpServer({
    routes: props.routes,
    handle: await props.start(logger),
    healthPath: props.healthPath ?? '/health',
    drainSeconds: numberFromEnv('DRAIN_SECONDS', 10),
    preStopSeconds: numberFromEnv(SERVICE_ENVIRONMENT.preStopSeconds, 0),
    log: logger,
  });
  consumer?.stopOnSignals();
  server.exitOnSignals((code) => void (consumer?.stop() ?? Promise.resolve()).then(() => telemetry?.shutdown()).finally(() => process.exit(code)));
  const bound = await server.listen(port, process.env[SERVICE_ENVIRONMENT.listenHost] || undefined);
  consumer?.start();
  logger.info('listening', { port: bound, host: process.env[SERVICE_ENVIRONMENT.listenHost] || '0.0.0.0' });
}
