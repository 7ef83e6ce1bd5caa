import * as fs from 'node:fs';
import * as path from 'node:path';
import { ServiceCatalogError, SpecProblem } from './errors';
import { HANDLER_OVERHEAD_MS, RESILIENCE_CONFIG_PREFIX, callBudgetMs, integrationTimeoutMsOf } from './resilience-policy';
import { ContainerSpec, FRONT_ENDS, ParsedRoute, ServiceSpec, ShutdownBudget, parseRoute, shutdownBudgetOf } from './service-spec';
import { eventSourcingProblems } from './validate-patterns';

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const CONFIG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{0,63}$/;
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;
const RUNTIMES = ['lambda', 'fargate', 'kubernetes'];
/** `name[:tag][@sha256:digest]`, lowercase repository path with an optional registry host and port. */
const IMAGE_REFERENCE = /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[0-9a-f]{64})?$/;
/** Largest value Parameter Store keeps in a standard parameter. */
const MAX_CONFIG_VALUE = 4096;
/** API Gateway's default integration timeout caps a routed Lambda's useful run time. */
const MAX_ROUTED_LAMBDA_TIMEOUT = 29;
/** Fargate's valid memory sizes (MiB) for each CPU size. */
const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

const isInt = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * Validates a whole catalog before any resource is made.
 *
 * Every problem found is reported in one `ServiceCatalogError` whose lines each name the
 * service and the field. Returns the catalog unchanged when it is valid.
 */
export function validateCatalog(catalog: readonly ServiceSpec[]): readonly ServiceSpec[] {
  const problems: SpecProblem[] = [];
  if (!Array.isArray(catalog) || catalog.length === 0) {
    throw new ServiceCatalogError([{ service: '(catalog)', field: 'services', message: 'the catalog is empty; declare at least one service' }]);
  }

  const label = (spec: ServiceSpec, index: number) =>
    typeof spec?.name === 'string' && spec.name.length > 0 ? spec.name : `#${index}`;
  const names = new Map<string, number>();
  catalog.forEach((spec, index) => {
    const service = label(spec, index);
    const report = (field: string, message: string) => problems.push({ service, field, message });
    if (typeof spec !== 'object' || spec === null) {
      report('(spec)', 'is not an object');
      return;
    }
    if (typeof spec.name !== 'string' || !SERVICE_NAME.test(spec.name)) {
      report('name', `'${String(spec.name)}' is not DNS-safe: use 2 to 32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`);
    } else if (names.has(spec.name)) {
      report('name', `is declared twice (entries #${names.get(spec.name)} and #${index})`);
    } else {
      names.set(spec.name, index);
    }
    if (!RUNTIMES.includes(spec.runtime)) {
      report('runtime', `'${String(spec.runtime)}' is not one of ${RUNTIMES.join(', ')}`);
    }
    checkRoutes(spec, report);
    checkConfig(spec, report);
    checkEvents(spec, report);
    checkTable(spec, report);
    checkScaling(spec, report);
    checkRuntimeSettings(spec, report);
    problems.push(...eventSourcingProblems(spec, service));
    checkResilience(spec, report);
    checkFeatureFlags(spec, report);
    checkEntry(spec, report);
  });

  checkRoutesAcrossServices(catalog, label, problems);
  checkEventsAcrossServices(catalog, label, problems);
  checkDependencies(catalog, label, problems);
  checkEntriesAcrossServices(catalog, label, problems);

  if (problems.length > 0) {
    throw new ServiceCatalogError(problems);
  }
  return catalog;
}

type Report = (field: string, message: string) => void;

function checkRoutes(spec: ServiceSpec, report: Report): void {
  if (spec.routes === undefined) return;
  if (!Array.isArray(spec.routes)) {
    report('routes', 'must be a list of { route: "METHOD /path" }');
    return;
  }
  spec.routes.forEach((route, i) => {
    const parsed = parseRoute(String(route?.route));
    if (typeof parsed === 'string') report(`routes[${i}].route`, parsed);
    if (route?.frontEnds !== undefined) {
      if (!Array.isArray(route.frontEnds) || route.frontEnds.length === 0) {
        report(`routes[${i}].frontEnds`, `must list at least one of ${FRONT_ENDS.join(', ')}, or be left out for all`);
      } else {
        for (const frontEnd of route.frontEnds) {
          if (!FRONT_ENDS.includes(frontEnd)) report(`routes[${i}].frontEnds`, `'${String(frontEnd)}' is not one of ${FRONT_ENDS.join(', ')}`);
        }
      }
    }
    if (route?.requestBodySchema !== undefined) {
      if (typeof route.requestBodySchema !== 'object' || route.requestBodySchema === null) {
        report(`routes[${i}].requestBodySchema`, 'must be a JSON Schema object');
      } else if (typeof parsed !== 'string' && (parsed.method === 'GET' || parsed.method === 'DELETE')) {
        report(`routes[${i}].requestBodySchema`, `is set on ${parsed.method}, which carries no body`);
      }
    }
  });
}

function checkConfig(spec: ServiceSpec, report: Report): void {
  if (spec.config !== undefined) {
    if (typeof spec.config !== 'object' || spec.config === null || Array.isArray(spec.config)) {
      report('config', 'must be an object of key to string value');
    } else {
      for (const [key, value] of Object.entries(spec.config)) {
        if (!CONFIG_KEY.test(key)) report(`config.${key}`, 'key must be 1 to 64 letters, digits, dots, hyphens or underscores');
        if (key.startsWith(RESILIENCE_CONFIG_PREFIX)) report(`config.${key}`, `keys starting with '${RESILIENCE_CONFIG_PREFIX}' are written from the resilience policies; declare the policy under resilience instead`);
        if (typeof value !== 'string' || value.length === 0) report(`config.${key}`, 'value must be a non-empty string');
        else if (value.length > MAX_CONFIG_VALUE) report(`config.${key}`, `value is ${value.length} characters; Parameter Store keeps at most ${MAX_CONFIG_VALUE}`);
      }
    }
  }
  if (spec.secrets !== undefined) {
    if (!Array.isArray(spec.secrets)) {
      report('secrets', 'must be a list of secret names');
    } else {
      const seen = new Set<string>();
      spec.secrets.forEach((secret, i) => {
        if (!SECRET_NAME.test(String(secret))) report(`secrets[${i}]`, `'${String(secret)}' must be 1 to 64 letters, digits, dots, hyphens or underscores`);
        if (seen.has(secret)) report(`secrets[${i}]`, `'${secret}' is listed twice`);
        seen.add(secret);
      });
    }
  }
}

function checkEvents(spec: ServiceSpec, report: Report): void {
  if (spec.events === undefined) return;
  for (const kind of ['publishes', 'consumes'] as const) {
    const list = spec.events[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      report(`events.${kind}`, 'must be a list of event types');
      continue;
    }
    const seen = new Set<string>();
    list.forEach((type, i) => {
      if (!EVENT_TYPE.test(String(type))) report(`events.${kind}[${i}]`, `'${String(type)}' must be PascalCase, e.g. OrderPlaced`);
      if (seen.has(type)) report(`events.${kind}[${i}]`, `'${type}' is listed twice`);
      seen.add(type);
    });
  }
}

function checkTable(spec: ServiceSpec, report: Report): void {
  const table = spec.table;
  if (table === undefined) return;
  for (const field of ['partitionKey', 'sortKey', 'timeToLiveAttribute'] as const) {
    const value = table[field];
    if (value === undefined && field !== 'partitionKey') continue;
    if (typeof value !== 'string' || !ATTRIBUTE.test(value)) report(`table.${field}`, `'${String(value)}' is not a valid attribute name`);
  }
  if (table.sortKey !== undefined && table.sortKey === table.partitionKey) {
    report('table.sortKey', 'must differ from the partition key');
  }
}

function checkScaling(spec: ServiceSpec, report: Report): void {
  const scaling = spec.scaling;
  if (scaling === undefined) return;
  const floor = spec.runtime === 'lambda' ? 0 : 1;
  if (!isInt(scaling.min, floor, 1000)) report('scaling.min', `${String(scaling.min)} must be a whole number from ${floor} to 1000`);
  if (!isInt(scaling.max, 1, 1000)) report('scaling.max', `${String(scaling.max)} must be a whole number from 1 to 1000`);
  if (typeof scaling.min === 'number' && typeof scaling.max === 'number' && scaling.min > scaling.max) {
    report('scaling', `min (${scaling.min}) is above max (${scaling.max})`);
  }
  if (scaling.cpuTargetPercent !== undefined && !isInt(scaling.cpuTargetPercent, 10, 90)) {
    report('scaling.cpuTargetPercent', `${String(scaling.cpuTargetPercent)} must be a whole percentage from 10 to 90`);
  }
  if (scaling.requestsPerTargetPerMinute !== undefined && !isInt(scaling.requestsPerTargetPerMinute, 1, 1_000_000)) {
    report('scaling.requestsPerTargetPerMinute', `${String(scaling.requestsPerTargetPerMinute)} must be a whole number from 1 to 1000000`);
  }
  if (spec.runtime === 'lambda' && (scaling.cpuTargetPercent !== undefined || scaling.requestsPerTargetPerMinute !== undefined)) {
    report('scaling', 'sets container scaling targets, but a lambda service scales by concurrency; remove cpuTargetPercent and requestsPerTargetPerMinute');
  }
  if (spec.runtime === 'lambda' && typeof scaling.min === 'number' && scaling.min !== 0) {
    report('scaling.min', `is ${scaling.min}, but a lambda service scales from zero (max caps its reserved concurrency); provisioned concurrency is not modelled`);
  }
}

function checkRuntimeSettings(spec: ServiceSpec, report: Report): void {
  if (spec.runtime === 'lambda') {
    if (spec.container !== undefined) report('container', 'is set, but a lambda service has no container; remove it or change the runtime');
    const lambda = spec.lambda;
    if (lambda === undefined) {
      report('lambda', 'is required for the lambda runtime: give at least { entry }');
      return;
    }
    if (typeof lambda.entry !== 'string' || !path.isAbsolute(lambda.entry)) {
      report('lambda.entry', `'${String(lambda.entry)}' must be an absolute path to the handler module`);
    }
    if (lambda.handler !== undefined && !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(lambda.handler)) {
      report('lambda.handler', `'${lambda.handler}' is not an exported function name`);
    }
    if (lambda.memoryMiB !== undefined && !isInt(lambda.memoryMiB, 128, 10240)) {
      report('lambda.memoryMiB', `${String(lambda.memoryMiB)} must be a whole number from 128 to 10240`);
    }
    if (lambda.timeoutSeconds !== undefined) {
      const cap = spec.routes?.length ? MAX_ROUTED_LAMBDA_TIMEOUT : 900;
      if (!isInt(lambda.timeoutSeconds, 1, cap)) {
        report('lambda.timeoutSeconds', `${String(lambda.timeoutSeconds)} must be a whole number from 1 to ${cap}` +
          (cap === MAX_ROUTED_LAMBDA_TIMEOUT ? ' because the service has routes and the gateway waits at most 29 s' : ''));
      }
    }
    return;
  }
  if (spec.runtime !== 'fargate' && spec.runtime !== 'kubernetes') return;
  if (spec.lambda !== undefined) report('lambda', `is set, but a ${spec.runtime} service has no Lambda function; remove it or change the runtime`);
  const container = spec.container;
  if (container === undefined) {
    report('container', `is required for the ${spec.runtime} runtime: give { port, cpu, memoryMiB, healthCheckPath, dockerfileDirectory }`);
    return;
  }
  if (!isInt(container.port, 1, 65535)) report('container.port', `${String(container.port)} must be a port from 1 to 65535`);
  if (typeof container.healthCheckPath !== 'string' || !container.healthCheckPath.startsWith('/')) {
    report('container.healthCheckPath', `'${String(container.healthCheckPath)}' must be a path starting with /`);
  }
  checkImageSource(container, report);
  checkShutdownBudget(container, report);
  if (container.image !== undefined) checkImage(container.image, report);
  if (spec.runtime === 'fargate') {
    if (SIDECAR_PORTS.includes(container.port)) {
      report('container.port', `${container.port} is taken by the OpenTelemetry collector beside the service (it uses ${SIDECAR_PORTS.join(', ')}); pick another port`);
    }
    const memory = FARGATE_MEMORY[container.cpu];
    if (memory === undefined) {
      report('container.cpu', `${String(container.cpu)} is not a Fargate CPU size; use one of ${Object.keys(FARGATE_MEMORY).join(', ')}`);
    } else {
      const [low, high, step] = memory;
      if (!isInt(container.memoryMiB, low, high) || (container.memoryMiB - low) % step !== 0) {
        report('container.memoryMiB', `${String(container.memoryMiB)} does not fit ${container.cpu} CPU units on Fargate: use ${low} to ${high} in steps of ${step}`);
      }
    }
  } else {
    if (!isInt(container.cpu, 10, 64000)) report('container.cpu', `${String(container.cpu)} must be whole milli-CPUs from 10 to 64000`);
    if (!isInt(container.memoryMiB, 16, 262144)) report('container.memoryMiB', `${String(container.memoryMiB)} must be whole MiB from 16 to 262144`);
  }
}

/** The ADOT collector's ports in a Fargate task: OTLP gRPC and HTTP, and its health check. */
const SIDECAR_PORTS = [4317, 4318, 13133];

function checkImageSource(container: ContainerSpec, report: Report): void {
  const directory = container.dockerfileDirectory;
  if (typeof directory !== 'string' || !path.isAbsolute(directory)) {
    report('container.dockerfileDirectory', `'${String(directory)}' must be an absolute path`);
    return;
  }
  if (!fs.existsSync(path.join(directory, 'Dockerfile'))) {
    report('container.dockerfileDirectory', `'${directory}' has no Dockerfile`);
  }
  if (container.buildContext !== undefined) {
    const relative = typeof container.buildContext === 'string' && path.isAbsolute(container.buildContext) ? path.relative(container.buildContext, directory) : undefined;
    if (relative === undefined || relative.startsWith('..') || path.isAbsolute(relative)) {
      report('container.buildContext', `'${String(container.buildContext)}' must be an absolute path that contains the Dockerfile directory '${directory}'`);
    }
  }
}

/**
 * On a stop, the service keeps serving for the pre-stop interval while it is deregistered (ECS) or
 * dropped from the endpoints (Kubernetes, during its preStop hook), then closes its listener and
 * drains; it is killed when the stop timeout (the pod's termination grace period) ends. The
 * numbers must nest: pre-stop + drain + 2 <= stop timeout, and
 * pre-stop + drain <= deregistration delay <= stop timeout. Checked for both container runtimes.
 *
 * @returns one problem per field at fault, named as in the spec (`container.<field>`)
 */
export function shutdownBudgetProblems(container: ContainerSpec): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const report = (field: string, message: string) => problems.push({ field, message });
  const fields: [Exclude<keyof ShutdownBudget, 'terminationGracePeriodSeconds'>, number | undefined, number][] = [
    ['preStopSeconds', container.preStopSeconds, 0],
    ['drainSeconds', container.drainSeconds, 1],
    ['stopTimeoutSeconds', container.stopTimeoutSeconds, 1],
    ['deregistrationDelaySeconds', container.deregistrationDelaySeconds, 0],
  ];
  for (const [field, value, min] of fields) {
    if (value !== undefined && !isInt(value, min, 120)) report(`container.${field}`, `${String(value)} must be a whole number of seconds from ${min} to 120`);
  }
  if (problems.length > 0) return problems;
  const budget = shutdownBudgetOf(container);
  const serving = budget.preStopSeconds + budget.drainSeconds;
  const phases = `the pre-stop interval (${budget.preStopSeconds} s) and the drain (${budget.drainSeconds} s)`;
  if (budget.stopTimeoutSeconds < serving + 2) {
    report('container.stopTimeoutSeconds', `${budget.stopTimeoutSeconds} s does not cover the drain: after the stop begins the server may answer for ${serving} s (${phases}), so the stop timeout must be at least ${serving + 2} s or the process is killed mid-drain`);
  }
  if (budget.deregistrationDelaySeconds < serving) {
    report('container.deregistrationDelaySeconds', `${budget.deregistrationDelaySeconds} s is shorter than ${phases}, ${serving} s: the load balancer would cut requests the server is still finishing`);
  }
  if (budget.deregistrationDelaySeconds > budget.stopTimeoutSeconds) {
    report('container.deregistrationDelaySeconds', `${budget.deregistrationDelaySeconds} s is longer than the stop timeout (${budget.stopTimeoutSeconds} s): the task would be killed while the load balancer still sends it requests`);
  }
  return problems;
}

function checkShutdownBudget(container: ContainerSpec, report: Report): void {
  for (const problem of shutdownBudgetProblems(container)) report(problem.field, problem.message);
}

function checkImage(image: unknown, report: Report): void {
  const match = typeof image === 'string' ? IMAGE_REFERENCE.exec(image) : null;
  if (match === null) {
    report('container.image', `'${String(image)}' is not an image reference of the form registry/name:tag or registry/name@sha256:digest`);
  } else if (match[2] === undefined && (match[1] === undefined || match[1] === 'latest')) {
    report('container.image', `'${String(image)}' is not pinned: give a digest (@sha256:...) or an explicit tag other than 'latest'`);
  }
}

/**
 * Two routes clash when they have the same method and the same path once parameter names
 * are ignored. REST APIs also forbid two different parameter names at one level of the tree.
 */
function checkRoutesAcrossServices(catalog: readonly ServiceSpec[], label: (s: ServiceSpec, i: number) => string, problems: SpecProblem[]): void {
  const owners = new Map<string, string>();
  const paramAtLevel = new Map<string, { name: string; where: string }>();
  catalog.forEach((spec, index) => {
    const service = label(spec, index);
    if (!Array.isArray(spec?.routes)) return;
    spec.routes.forEach((route, i) => {
      const parsed = parseRoute(String(route?.route));
      if (typeof parsed === 'string') return;
      const shape = shapeOf(parsed);
      const key = `${parsed.method} ${shape}`;
      const owner = owners.get(key);
      if (owner !== undefined) {
        problems.push({ service, field: `routes[${i}].route`, message: `'${route.route}' is already served by ${owner}` });
      } else {
        owners.set(key, `service '${service}' (${route.route})`);
      }
      let prefix = '';
      for (const segment of parsed.segments) {
        if (segment.startsWith('{')) {
          const seen = paramAtLevel.get(prefix);
          if (seen !== undefined && seen.name !== segment) {
            problems.push({
              service,
              field: `routes[${i}].route`,
              message: `'${route.route}' names the parameter ${segment} where ${seen.where} names ${seen.name}; one path level takes one parameter name`,
            });
          } else if (seen === undefined) {
            paramAtLevel.set(prefix, { name: segment, where: `service '${service}' (${route.route})` });
          }
        }
        prefix += `/${segment.startsWith('{') ? '{}' : segment}`;
      }
    });
  });
}

function shapeOf(route: ParsedRoute): string {
  return '/' + route.segments.map((s) => (s.startsWith('{') ? '{}' : s)).join('/');
}

function checkEventsAcrossServices(catalog: readonly ServiceSpec[], label: (s: ServiceSpec, i: number) => string, problems: SpecProblem[]): void {
  const published = new Set<string>();
  for (const spec of catalog) {
    if (Array.isArray(spec?.events?.publishes)) spec.events.publishes.forEach((type) => published.add(type));
  }
  catalog.forEach((spec, index) => {
    const consumes = spec?.events?.consumes;
    if (!Array.isArray(consumes)) return;
    consumes.forEach((type, i) => {
      if (!published.has(type)) {
        problems.push({ service: label(spec, index), field: `events.consumes[${i}]`, message: `no service in the catalog publishes '${type}'` });
      }
    });
  });
}

function checkDependencies(catalog: readonly ServiceSpec[], label: (s: ServiceSpec, i: number) => string, problems: SpecProblem[]): void {
  const known = new Set(catalog.map((spec) => spec?.name));
  const edges = new Map<string, string[]>();
  catalog.forEach((spec, index) => {
    if (spec?.calls === undefined) return;
    const service = label(spec, index);
    if (!Array.isArray(spec.calls)) {
      problems.push({ service, field: 'calls', message: 'must be a list of service names' });
      return;
    }
    const valid: string[] = [];
    spec.calls.forEach((callee, i) => {
      if (callee === spec.name) problems.push({ service, field: `calls[${i}]`, message: 'a service cannot call itself through discovery' });
      else if (!known.has(callee)) problems.push({ service, field: `calls[${i}]`, message: `'${String(callee)}' is not a service in the catalog` });
      else valid.push(callee);
    });
    edges.set(spec.name, valid);
  });

  // Depth-first search; a back edge closes a cycle, reported once with its path.
  const state = new Map<string, 'open' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]) => {
    state.set(name, 'open');
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...trail.slice(trail.indexOf(next)), next];
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({ service: name, field: 'calls', message: `dependency cycle: ${cycle.join(' -> ')}` });
        }
      } else if (state.get(next) === undefined) {
        visit(next, [...trail, next]);
      }
    }
    state.set(name, 'done');
  };
  for (const name of edges.keys()) {
    if (state.get(name) === undefined) visit(name, [name]);
  }
}

/** Bounds of each resilience policy field: [min, max]. */
const POLICY_BOUNDS: Record<string, [number, number]> = {
  timeoutMs: [50, 29_000],
  retries: [0, 5],
  backoffMs: [0, 5000],
  errorThresholdPercent: [1, 100],
  volumeThreshold: [1, 1000],
  resetTimeoutMs: [100, 600_000],
  rollingWindowMs: [1000, 600_000],
};
/** The most a REST API integration may wait. */
const MAX_INTEGRATION_TIMEOUT_MS = 29_000;
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 10;

/**
 * Each policy names a declared call and has numbers in range; the budgets must fit inside the
 * caller's own timeout (a Lambda's timeout, and the gateway's 29 s for routed services), so a
 * retry never outlives the request it serves. An entry (BFF) needs a policy for every call.
 */
function checkResilience(spec: ServiceSpec, report: Report): void {
  const resilience = spec.resilience;
  if (resilience === undefined) {
    if (spec.entry !== undefined && (spec.calls ?? []).length > 0) {
      report('resilience', `is missing; an entry service must declare a policy for each service it calls (${(spec.calls ?? []).join(', ')})`);
    }
    return;
  }
  if (typeof resilience !== 'object' || resilience === null || Array.isArray(resilience)) {
    report('resilience', 'must be an object of callee name to { timeoutMs, retries, ... }');
    return;
  }
  const calls = Array.isArray(spec.calls) ? spec.calls : [];
  let usable = true;
  for (const [callee, policy] of Object.entries(resilience)) {
    if (!calls.includes(callee)) report(`resilience.${callee}`, `names '${callee}', which is not in calls; a policy applies to a declared call`);
    if (typeof policy !== 'object' || policy === null) {
      report(`resilience.${callee}`, 'must be an object { timeoutMs, retries?, backoffMs?, errorThresholdPercent?, volumeThreshold?, resetTimeoutMs?, rollingWindowMs? }');
      usable = false;
      continue;
    }
    for (const [field, value] of Object.entries(policy)) {
      const bounds = POLICY_BOUNDS[field];
      if (bounds === undefined) report(`resilience.${callee}.${field}`, `is not a policy field; expected one of ${Object.keys(POLICY_BOUNDS).join(', ')}`);
      else if (!isInt(value, bounds[0], bounds[1])) {
        report(`resilience.${callee}.${field}`, `${String(value)} must be a whole number from ${bounds[0]} to ${bounds[1]}`);
        usable = false;
      }
    }
    if (policy.timeoutMs === undefined) {
      report(`resilience.${callee}.timeoutMs`, 'is required');
      usable = false;
    }
  }
  if (spec.entry !== undefined) {
    for (const callee of calls) if (!(callee in resilience)) report(`resilience.${callee}`, `is missing; an entry service must declare a policy for each service it calls`);
  }
  if (!usable) return;

  const total = integrationTimeoutMsOf(spec) ?? 0;
  const budgets = Object.entries(resilience).map(([callee, policy]) => `${callee} ${callBudgetMs(policy)} ms`).join(' + ');
  const explain = `the call budgets (${budgets}, each every attempt at its timeout plus every backoff) and ${HANDLER_OVERHEAD_MS} ms for the handler add up to ${total} ms`;
  if (spec.runtime === 'lambda' && spec.lambda !== undefined) {
    const ownMs = (spec.lambda.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS) * 1000;
    if (total > ownMs) report('resilience', `${explain}, longer than the caller's own timeout (lambda.timeoutSeconds, ${ownMs} ms): lower the retries or timeouts, or raise the timeout`);
  }
  if ((spec.routes ?? []).length > 0 && total > MAX_INTEGRATION_TIMEOUT_MS) {
    report('resilience', `${explain}, longer than the ${MAX_INTEGRATION_TIMEOUT_MS} ms an API Gateway integration may wait`);
  }
}

const FLAG_NAME = /^[a-zA-Z][a-zA-Z0-9]{0,63}$/;

function checkFeatureFlags(spec: ServiceSpec, report: Report): void {
  const flags = spec.featureFlags;
  if (flags === undefined) return;
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags) || Object.keys(flags).length === 0) {
    report('featureFlags', 'must be an object of at least one flag name to its initial true or false');
    return;
  }
  for (const [name, value] of Object.entries(flags)) {
    if (!FLAG_NAME.test(name)) report(`featureFlags.${name}`, 'name must be 1 to 64 letters and digits, starting with a letter');
    if (typeof value !== 'boolean') report(`featureFlags.${name}`, `${String(value)} must be true or false`);
  }
}

const BASE_PATH = /^\/[a-z0-9][a-z0-9-]*$/;
const QUOTA_PERIODS = ['DAY', 'WEEK', 'MONTH'];
/** What WAF inspects of a request body sent to a REST API, by default. */
const MAX_INSPECTED_BODY_BYTES = 8192;

function checkEntry(spec: ServiceSpec, report: Report): void {
  const entry = spec.entry;
  if (entry === undefined) return;
  if (typeof entry !== 'object' || entry === null) {
    report('entry', 'must be an object { frontEnd, basePath, rateLimit, burstLimit, quota, maxBodyBytes, clientTimeoutMs }');
    return;
  }
  if (!FRONT_ENDS.includes(entry.frontEnd)) report('entry.frontEnd', `'${String(entry.frontEnd)}' is not one of ${FRONT_ENDS.join(', ')}`);
  const basePathOk = typeof entry.basePath === 'string' && BASE_PATH.test(entry.basePath);
  if (!basePathOk) report('entry.basePath', `'${String(entry.basePath)}' must be one path segment of lowercase letters, digits and hyphens, e.g. /web`);
  if (!(typeof entry.rateLimit === 'number' && entry.rateLimit > 0 && entry.rateLimit <= 10_000)) report('entry.rateLimit', `${String(entry.rateLimit)} must be a number of requests per second above 0 and at most 10000`);
  if (!isInt(entry.burstLimit, 1, 5000)) report('entry.burstLimit', `${String(entry.burstLimit)} must be a whole number from 1 to 5000`);
  if (!isInt(entry.quota?.limit, 1, 1_000_000_000)) report('entry.quota.limit', `${String(entry.quota?.limit)} must be a whole number of requests from 1`);
  if (!QUOTA_PERIODS.includes(entry.quota?.period)) report('entry.quota.period', `'${String(entry.quota?.period)}' is not one of ${QUOTA_PERIODS.join(', ')}`);
  if (!isInt(entry.maxBodyBytes, 1, MAX_INSPECTED_BODY_BYTES)) report('entry.maxBodyBytes', `${String(entry.maxBodyBytes)} must be a whole number of bytes from 1 to ${MAX_INSPECTED_BODY_BYTES} (what the firewall inspects)`);
  if (!isInt(entry.clientTimeoutMs, 1000, 120_000)) {
    report('entry.clientTimeoutMs', `${String(entry.clientTimeoutMs)} must be whole milliseconds from 1000 to 120000`);
  } else {
    const integration = integrationTimeoutMsOf(spec) ?? MAX_INTEGRATION_TIMEOUT_MS;
    if (integration >= entry.clientTimeoutMs) {
      report('entry.clientTimeoutMs', `${entry.clientTimeoutMs} ms is not longer than the gateway's integration timeout for the entry (${integration} ms, from the resilience policies): the client would give up before the gateway answers`);
    }
  }
  (spec.routes ?? []).forEach((route, i) => {
    const parsed = parseRoute(String(route?.route));
    if (typeof parsed === 'string') return;
    if (basePathOk && parsed.segments[0] !== entry.basePath.slice(1)) report(`routes[${i}].route`, `'${route.route}' is outside the entry's base path ${entry.basePath}`);
    const frontEnds = route.frontEnds;
    if (!Array.isArray(frontEnds) || frontEnds.length !== 1 || frontEnds[0] !== entry.frontEnd) {
      report(`routes[${i}].frontEnds`, `must be ['${String(entry.frontEnd)}']: an entry's routes are exposed to its own front end only`);
    }
  });
}

/** One entry per front end and per base path; no other service routes under an entry's base path. */
function checkEntriesAcrossServices(catalog: readonly ServiceSpec[], label: (s: ServiceSpec, i: number) => string, problems: SpecProblem[]): void {
  const byFrontEnd = new Map<string, string>();
  const byBasePath = new Map<string, string>();
  catalog.forEach((spec, index) => {
    const entry = spec?.entry;
    if (entry === undefined || entry === null) return;
    const service = label(spec, index);
    const frontOwner = byFrontEnd.get(entry.frontEnd);
    if (frontOwner !== undefined) problems.push({ service, field: 'entry.frontEnd', message: `'${entry.frontEnd}' already has its entry in service '${frontOwner}'` });
    else byFrontEnd.set(entry.frontEnd, service);
    const pathOwner = byBasePath.get(entry.basePath);
    if (pathOwner !== undefined) problems.push({ service, field: 'entry.basePath', message: `${entry.basePath} is already the base path of service '${pathOwner}'` });
    else byBasePath.set(entry.basePath, service);
  });
  catalog.forEach((spec, index) => {
    if (spec?.entry !== undefined || !Array.isArray(spec?.routes)) return;
    spec.routes.forEach((route, i) => {
      const parsed = parseRoute(String(route?.route));
      if (typeof parsed === 'string') return;
      const owner = byBasePath.get(`/${parsed.segments[0]}`);
      if (owner !== undefined) problems.push({ service: label(spec, index), field: `routes[${i}].route`, message: `'${route.route}' is under /${parsed.segments[0]}, the base path of the entry '${owner}'` });
    });
  });
}
