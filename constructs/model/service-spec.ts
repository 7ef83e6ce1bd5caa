/**
 * The service model: what a microservice needs, declared once next to its code.
 *
 * A spec says *what* (routes, config, events, dependencies, data, scaling, runtime);
 * the constructs decide *how* on AWS. Specs are validated as a whole catalog by
 * `validateCatalog` before any resource is made.
 */

/** HTTP methods a route may use. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The front ends (entries of the edge) that can expose a route. */
export type FrontEnd = 'web' | 'mobile';

/** Every front end, in a stable order. */
export const FRONT_ENDS: readonly FrontEnd[] = ['web', 'mobile'];

/** One HTTP route served by a service. */
export interface RouteSpec {
  /** The route as `METHOD /path`, path segments may be `{param}`, e.g. `GET /orders/{id}`. */
  readonly route: string;
  /**
   * The front ends that may call this route; their app clients are given its scope.
   * @default - every front end
   */
  readonly frontEnds?: FrontEnd[];
  /**
   * JSON Schema (draft 4) of the request body, checked at the gateway before the service is invoked.
   * @default - the gateway checks only that required parameters are present
   */
  readonly requestBodySchema?: Record<string, unknown>;
}

/** The service's own table (database per service). */
export interface TableSpec {
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /**
   * Sort key attribute (string).
   * @default - no sort key
   */
  readonly sortKey?: string;
  /**
   * Attribute holding an epoch-seconds expiry, for DynamoDB TTL.
   * @default - no TTL
   */
  readonly timeToLiveAttribute?: string;
}

/** Domain events a service publishes and consumes. */
export interface EventsSpec {
  /** Event types it publishes, e.g. `OrderPlaced`. @default - none */
  readonly publishes?: string[];
  /** Event types it consumes. @default - none */
  readonly consumes?: string[];
}

/** A secondary index of a read-model table. */
export interface IndexSpec {
  /** Index name, e.g. `byCustomer`. */
  readonly name: string;
  /** Partition key attribute (string). */
  readonly partitionKey: string;
  /**
   * Sort key attribute (string).
   * @default - no sort key
   */
  readonly sortKey?: string;
}

/**
 * Event sourcing with a CQRS read model: the service appends its state changes to an event store
 * (partition key `streamId`, number sort key `version`, a stream of new items), and its function,
 * fed by that stream, maintains a read-model table that queries read.
 */
export interface EventSourcingSpec {
  /** The read-model table the projection writes and queries read. */
  readonly readModel: TableSpec & {
    /** Global secondary indexes for list queries. @default - none */
    readonly indexes?: IndexSpec[];
  };
  /** Most stream records handed to one invocation of the projection (1 to 100). @default 10 */
  readonly projectionBatchSize?: number;
}

/** Scaling bounds. */
export interface ScalingSpec {
  /** Lowest instance count (tasks, pods); 0 for Lambda, which scales from zero. */
  readonly min: number;
  /** Highest instance count (tasks, pods), or the Lambda function's reserved concurrency. */
  readonly max: number;
  /**
   * Containers: average CPU utilisation (percent) that target tracking holds.
   * @default 60
   */
  readonly cpuTargetPercent?: number;
  /**
   * Containers behind a load balancer: requests per task per minute that target tracking holds.
   * @default 1000
   */
  readonly requestsPerTargetPerMinute?: number;
}

/** Lambda settings of a `lambda` service. */
export interface LambdaSpec {
  /** Absolute path of the handler module, usually `path.join(__dirname, 'handler.ts')`. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  /** Memory in MiB (128 to 10240). @default 256 */
  readonly memoryMiB?: number;
  /** Timeout in seconds (1 to 900; at most 29 when the service has routes). @default 10 */
  readonly timeoutSeconds?: number;
}

/** Container settings of a `fargate` or `kubernetes` service. */
export interface ContainerSpec {
  /** Port the process listens on (taken from the PORT environment variable). */
  readonly port: number;
  /** CPU units (Fargate: 256, 512, 1024, 2048, 4096). */
  readonly cpu: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** HTTP path that answers 200 while the process is healthy. */
  readonly healthCheckPath: string;
  /** Directory holding the Dockerfile (absolute). */
  readonly dockerfileDirectory: string;
  /**
   * Build context of the image (absolute); must contain `dockerfileDirectory`. Set it to the
   * repository root when the image bundles code shared between services.
   * @default - `dockerfileDirectory`
   */
  readonly buildContext?: string;
  /**
   * Seconds after a stop begins during which the service still accepts and answers while its
   * health check fails, so the load balancer deregisters it (or kube-proxy drops the pod) before it
   * stops listening. On Fargate the process waits this long after SIGTERM; on Kubernetes a preStop
   * hook sleeps it before SIGTERM is sent.
   * @default 5
   */
  readonly preStopSeconds?: number;
  /** Seconds the server gets to finish in-flight requests once it has stopped accepting connections. @default 10 */
  readonly drainSeconds?: number;
  /**
   * A prebuilt image, pinned by digest (`repo@sha256:...`) or by an explicit tag other than `latest`.
   * @default - built from `dockerfileDirectory` (an asset image under CDK; a tag from the directory's content elsewhere)
   */
  readonly image?: string;
  /**
   * Seconds between the start of a stop (SIGTERM on Fargate, the preStop hook on Kubernetes) and
   * SIGKILL; must exceed `preStopSeconds + drainSeconds` by at least 2, so the drain can finish and
   * the process exit on its own (Fargate allows up to 120). Also the pod's `terminationGracePeriodSeconds`.
   * @default preStopSeconds + drainSeconds + 5, at most 120
   */
  readonly stopTimeoutSeconds?: number;
  /**
   * Seconds the load balancer keeps a deregistered target's in-flight requests; from
   * `preStopSeconds + drainSeconds` (so the balancer waits as long as the server may still be
   * answering) to `stopTimeoutSeconds` (so it lets go before the task is killed).
   * @default preStopSeconds + drainSeconds
   */
  readonly deregistrationDelaySeconds?: number;
}

/** Alarm thresholds of a service; each has a default, so most specs leave this out. */
export interface MonitoringSpec {
  /** Share of requests that fail (function errors, 5xx) that raises the error-rate alarm, in percent. @default 1 */
  readonly errorRatePercent?: number;
  /** p99 latency that raises the latency alarm, in milliseconds. @default - 80% of the Lambda timeout; 1000 for containers */
  readonly latencyP99Millis?: number;
  /** Messages waiting in a dead-letter or failure queue that raise its alarm. @default 1 */
  readonly deadLetterMessages?: number;
  /** CPU or memory use of a container service that raises its saturation alarm, in percent. @default 90 */
  readonly saturationPercent?: number;
}

/**
 * The shutdown timings of a container, with defaults applied (see {@link ContainerSpec}): the whole
 * budget of a stop, stated once and applied by both container runtimes.
 *
 *     stop begins ── pre-stop (serving, /health failing) ── listener closed ── drain ── exit 0
 *     |<────────────── deregistration delay ─────────────>|   (at least pre-stop + drain)
 *     |<──────────────── stop timeout = terminationGracePeriodSeconds ────────────────>| SIGKILL
 */
export interface ShutdownBudget {
  /** Seconds the service keeps serving, with its health check failing, after the stop begins. */
  readonly preStopSeconds: number;
  /** Seconds in-flight requests get once the listener is closed. */
  readonly drainSeconds: number;
  /** Seconds from the stop's start to SIGKILL: the Fargate container's stop timeout. */
  readonly stopTimeoutSeconds: number;
  /** Seconds the load balancer keeps a deregistered target's in-flight requests. */
  readonly deregistrationDelaySeconds: number;
  /** The pod's `terminationGracePeriodSeconds`: the same bound as the stop timeout, which Kubernetes counts from the preStop hook's start. */
  readonly terminationGracePeriodSeconds: number;
}

/** Default seconds a container server gets to drain. */
export const DEFAULT_DRAIN_SECONDS = 10;
/** Default seconds of the pre-stop interval: a few health-check or endpoint-update rounds. */
export const DEFAULT_PRE_STOP_SECONDS = 5;

/** The shutdown timings of a container spec, defaults applied; `validateCatalog` checks they line up. */
export function shutdownBudgetOf(container: ContainerSpec): ShutdownBudget {
  const preStopSeconds = container.preStopSeconds ?? DEFAULT_PRE_STOP_SECONDS;
  const drainSeconds = container.drainSeconds ?? DEFAULT_DRAIN_SECONDS;
  const stopTimeoutSeconds = container.stopTimeoutSeconds ?? Math.min(preStopSeconds + drainSeconds + 5, 120);
  return {
    preStopSeconds,
    drainSeconds,
    stopTimeoutSeconds,
    deregistrationDelaySeconds: container.deregistrationDelaySeconds ?? preStopSeconds + drainSeconds,
    terminationGracePeriodSeconds: stopTimeoutSeconds,
  };
}

/**
 * How a caller treats one dependency: per-attempt timeout, retries with jittered backoff, and the
 * circuit breaker around the whole call. Declared in the caller's spec; the single source for the
 * breaker in code (written to the caller's config path), the gateway integration timeout of the
 * caller's routes, and the Service Connect request timeout of a container callee.
 */
export interface ResiliencePolicy {
  /** Milliseconds one attempt may take before it is abandoned (50 to 29000). */
  readonly timeoutMs: number;
  /** Further attempts after a failed one (0 to 5). @default 0 */
  readonly retries?: number;
  /** Milliseconds of the first backoff; each next one doubles, with full jitter (0 to 5000). @default 100 */
  readonly backoffMs?: number;
  /** Share of failed calls (percent) in the rolling window that opens the breaker (1 to 100). @default 50 */
  readonly errorThresholdPercent?: number;
  /** Calls the rolling window must hold before the breaker may open (1 to 1000). @default 5 */
  readonly volumeThreshold?: number;
  /** Milliseconds the breaker stays open before it lets one probe through (half-open) (100 to 600000). @default 10000 */
  readonly resetTimeoutMs?: number;
  /** Milliseconds of the rolling window the error share is counted over (1000 to 600000). @default 10000 */
  readonly rollingWindowMs?: number;
}

/** A resilience policy with its defaults applied. */
export type ResolvedResiliencePolicy = Required<ResiliencePolicy>;

/** Periods a usage plan quota counts over. */
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/**
 * The service is the backend of one front end's entry at the edge (a BFF): its routes live under
 * the entry's base path, are exposed to that front end's app client only, need the front end's API
 * key, and are throttled, metered and size-limited for that front end alone.
 */
export interface EntrySpec {
  /** The front end this entry serves. */
  readonly frontEnd: FrontEnd;
  /** Path prefix every route of the service starts with, e.g. `/web`. */
  readonly basePath: string;
  /** Steady-state requests per second for this entry's methods (and its usage plan). */
  readonly rateLimit: number;
  /** Burst of requests for this entry's methods. */
  readonly burstLimit: number;
  /** Requests the front end's API key may make per quota period. */
  readonly quota: { readonly limit: number; readonly period: QuotaPeriod };
  /** Largest request body (bytes) the firewall lets through to this entry (1 to 8192, what WAF inspects). */
  readonly maxBodyBytes: number;
  /**
   * Milliseconds the front end waits for an answer; the gateway's integration timeout for the entry
   * must end before it, so the client gets the gateway's answer rather than its own timeout.
   */
  readonly clientTimeoutMs: number;
}

/**
 * What every service declares, whatever its runtime. A runtime's spec type extends this with the
 * fields that runtime honours; see {@link ServiceSpecsByRuntime}.
 */
export interface ServiceSpecBase {
  /** DNS-safe name: lowercase letters, digits and hyphens, 2 to 32 characters, starting with a letter. */
  readonly name: string;
  /** One line on what the service does (at most 256 characters). @default - none */
  readonly description?: string;
  /** Where it runs: the name of a runtime the platform knows (`lambda`, `fargate`, `kubernetes`, or one added by the user). */
  readonly runtime: string;
  /** HTTP routes it serves through the edge gateway. @default - none */
  readonly routes?: RouteSpec[];
  /** Config keys and their values, stored at `/<platform>/<env>/<service>/<key>`. @default - none */
  readonly config?: Record<string, string>;
  /** Names of secrets it reads, stored in Secrets Manager as `<platform>/<env>/<service>/<name>`. @default - none */
  readonly secrets?: string[];
  /** Domain events. @default - none */
  readonly events?: EventsSpec;
  /** Services it calls, by name; they are found through discovery. @default - none */
  readonly calls?: string[];
  /**
   * A resilience policy per service in `calls` (keyed by its name).
   * @default - none: calls run without a policy, and the gateway waits its default
   */
  readonly resilience?: Record<string, ResiliencePolicy>;
  /**
   * Boolean feature flags the service reads from AWS AppConfig, with their initial values; the
   * platform hosts them in a configuration profile of the service's own.
   * @default - no feature flags
   */
  readonly featureFlags?: Record<string, boolean>;
  /** The service is a front end's entry (a BFF). @default - not an entry */
  readonly entry?: EntrySpec;
  /** Its own table. @default - no table */
  readonly table?: TableSpec;
  /** Scaling bounds. @default - runtime defaults */
  readonly scaling?: ScalingSpec;
  /** Alarm thresholds. @default - the defaults of {@link MonitoringSpec} */
  readonly monitoring?: MonitoringSpec;
}

/** A service on AWS Lambda. */
export interface LambdaServiceSpec extends ServiceSpecBase {
  readonly runtime: 'lambda';
  /** Lambda settings. */
  readonly lambda: LambdaSpec;
  /** Event store and read model. @default - no event sourcing */
  readonly eventSourcing?: EventSourcingSpec;
  /**
   * The saga actions the service's function handles (camelCase, e.g. `reserveStock`); a saga may
   * invoke only these.
   * @default - none: the service takes part in no saga
   */
  readonly sagaActions?: string[];
  readonly container?: never;
}

/** A container service on ECS Fargate. */
export interface FargateServiceSpec extends ServiceSpecBase {
  readonly runtime: 'fargate';
  /** Container settings. */
  readonly container: ContainerSpec;
  readonly lambda?: never;
  readonly eventSourcing?: never;
  readonly sagaActions?: never;
}

/** A container service on Kubernetes (EKS). */
export interface KubernetesServiceSpec extends ServiceSpecBase {
  readonly runtime: 'kubernetes';
  /** Container settings. */
  readonly container: ContainerSpec;
  readonly lambda?: never;
  readonly eventSourcing?: never;
  readonly sagaActions?: never;
}

/**
 * The spec type of each runtime, by runtime name. A library user who adds a runtime adds its spec
 * type here by declaration merging, and `ServiceSpec` takes it in:
 *
 *     declare module '<package>' { interface ServiceSpecsByRuntime { express: ExpressServiceSpec } }
 */
export interface ServiceSpecsByRuntime {
  lambda: LambdaServiceSpec;
  fargate: FargateServiceSpec;
  kubernetes: KubernetesServiceSpec;
}

/** One microservice, declared once: a union discriminated by `runtime`. */
export type ServiceSpec = ServiceSpecsByRuntime[keyof ServiceSpecsByRuntime];

/** The runtimes built into the package. */
export type ServiceRuntimeName = keyof ServiceSpecsByRuntime;

/** A route split into its parts. */
export interface ParsedRoute {
  readonly method: HttpMethod;
  readonly path: string;
  /** Path segments, e.g. `['orders', '{id}']`. */
  readonly segments: string[];
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ROUTE = /^([A-Z]+) (\/\S*)$/;
const LITERAL_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;
const PARAM_SEGMENT = /^\{[a-zA-Z][a-zA-Z0-9]*\}$/;

/**
 * Parses `METHOD /path`; returns a reason string when the route is malformed.
 */
export function parseRoute(route: string): ParsedRoute | string {
  const match = ROUTE.exec(route);
  if (!match) {
    return `'${route}' is not of the form 'METHOD /path'`;
  }
  const method = match[1] as HttpMethod;
  if (!METHODS.includes(method)) {
    return `'${route}' uses method ${match[1]}; expected one of ${METHODS.join(', ')}`;
  }
  const path = match[2];
  if (path === '/') {
    return `'${route}' routes the root path, which the edge keeps for itself`;
  }
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  for (const segment of segments) {
    if (PARAM_SEGMENT.test(segment)) {
      if (names.has(segment)) return `'${route}' repeats the parameter ${segment}`;
      names.add(segment);
    } else if (!LITERAL_SEGMENT.test(segment)) {
      return `'${route}' has the path segment '${segment}'; expected lowercase letters, digits and hyphens, or {param}`;
    }
  }
  return { method, path, segments };
}

/** Cognito's most scopes on one app client; each front end's client also takes `openid` and `email`. */
export const MAX_SCOPES_PER_APP_CLIENT = 50;

/** The OAuth scope that guards a route: reads need `<service>.read`, writes `<service>.write`. */
export function scopeNameFor(serviceName: string, method: HttpMethod): string {
  return `${serviceName}.${method === 'GET' ? 'read' : 'write'}`;
}

/**
 * The name of the gateway model that holds a route's body schema: the service name without its
 * hyphens, the method and the route's index (`ordersPOST0`); one per API, so the catalog check
 * refuses two that come out the same.
 */
export function requestModelNameOf(serviceName: string, method: HttpMethod, routeIndex: number): string {
  return `${serviceName}${method}${routeIndex}`.replace(/[^A-Za-z0-9]/g, '');
}
