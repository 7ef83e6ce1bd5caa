import { fargateSpecRules } from '../runtimes/fargate/fargate-spec-rules';
import { kubernetesSpecRules } from '../runtimes/kubernetes/kubernetes-spec-rules';
import { lambdaSpecRules } from '../runtimes/lambda/lambda-spec-rules';
import type { SpecCheckContext } from '../runtimes/service-runtime';
import { ServiceCatalogError, SpecProblem } from './errors';
import { checkMonitoring } from './monitoring-policy';
import { requestBodySchemaProblem } from './request-body-schema';
import { POLICY_BOUNDS, RESILIENCE_CONFIG_PREFIX, callBudgetsExplained, integrationTimeoutMsOf, isUsableResilience } from './resilience-policy';
import type { RuntimeRules } from './runtime-rules';
import { FRONT_ENDS, ParsedRoute, ServiceSpec, ServiceSpecBase, parseRoute, requestModelNameOf } from './service-spec';
import {
  ENTRY_FIELDS, EVENTS_FIELDS, POLICY_FIELDS, QUOTA_FIELDS, ROUTE_FIELDS, Report, SCALING_FIELDS, SERVICE_FIELDS, TABLE_FIELDS,
  checkAttributes, checkFields, didYouMean, isRecord, isWholeNumber, nearestOf,
} from './spec-fields';

const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const CONFIG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]{0,63}$/;
/** Largest value Parameter Store keeps in a standard parameter. */
const MAX_CONFIG_VALUE = 4096;
/** Longest description (what Cloud Map and Lambda keep). */
const MAX_DESCRIPTION = 256;

/** The rules of the runtimes built into the package. */
export const BUILT_IN_SPEC_RULES: readonly RuntimeRules[] = [lambdaSpecRules, fargateSpecRules, kubernetesSpecRules] as readonly RuntimeRules[];

/** How a catalog is validated. */
export interface CatalogValidationOptions {
  /**
   * The rules of every runtime a spec may name; a spec is checked by the rules of its own runtime.
   * @default BUILT_IN_SPEC_RULES (lambda, fargate and kubernetes)
   */
  readonly runtimes?: readonly RuntimeRules[];
  /**
   * `<platform>-<environment>`, the prefix of physical names; when given, the runtimes check the
   * names they derive from it and the service name.
   * @default - names are not checked
   */
  readonly namePrefix?: string;
}

/**
 * Validates a whole catalog before any resource is made.
 *
 * Every problem found is reported in one `ServiceCatalogError` whose lines each name the
 * service and the field. Returns the catalog unchanged when it is valid.
 */
export function validateCatalog(catalog: readonly ServiceSpec[], options: CatalogValidationOptions = {}): readonly ServiceSpec[] {
  const problems = catalogProblems(catalog, options);
  if (problems.length > 0) throw new ServiceCatalogError(problems);
  return catalog;
}

/** Every problem of a catalog (what {@link validateCatalog} throws), each naming the service and the field. */
export function catalogProblems(catalog: unknown, options: CatalogValidationOptions = {}): SpecProblem[] {
  if (!Array.isArray(catalog)) {
    return [{ service: '(catalog)', field: 'services', message: `must be a list of service specs, not ${describe(catalog)}` }];
  }
  if (catalog.length === 0) {
    return [{ service: '(catalog)', field: 'services', message: 'the catalog is empty; declare at least one service' }];
  }
  const problems: SpecProblem[] = [];
  const rules = rulesByName(options.runtimes);
  const context: SpecCheckContext = { catalog: catalog as ServiceSpecBase[], namePrefix: options.namePrefix };
  const names = new Map<string, number>();
  catalog.forEach((spec: unknown, index) => {
    const service = labelOf(spec, index);
    const report: Report = (field, message) => problems.push({ service, field, message });
    checkServiceSpec(spec, report, rules, context);
    if (isRecord(spec) && typeof spec.name === 'string' && SERVICE_NAME.test(spec.name)) {
      if (names.has(spec.name)) report('name', `is declared twice (entries #${names.get(spec.name)} and #${index})`);
      else names.set(spec.name, index);
    }
  });

  const specs = catalog.filter(isRecord) as unknown as ServiceSpecBase[];
  const label = (spec: ServiceSpecBase) => labelOf(spec, catalog.indexOf(spec));
  checkRoutesAcrossServices(specs, label, problems);
  checkRequestModelNames(specs, label, problems);
  checkEventsAcrossServices(specs, label, problems);
  checkDependencies(specs, label, rules, problems);
  checkEntriesAcrossServices(specs, label, problems);
  return problems;
}

/** The name a spec's problems carry: its name when it has one, else its index (`#2`). */
export function labelOf(spec: unknown, index: number): string {
  return isRecord(spec) && typeof spec.name === 'string' && spec.name.length > 0 ? spec.name : `#${index}`;
}

/** The rules by runtime name; the built-in ones unless others are given. */
export function rulesByName(runtimes: readonly RuntimeRules[] = BUILT_IN_SPEC_RULES): ReadonlyMap<string, RuntimeRules> {
  return new Map(runtimes.map((rules) => [rules.name, rules]));
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`);

/**
 * Checks one spec on its own, with the rules of its runtime: every field, nested ones included,
 * but nothing across services (calls, consumed events, route clashes). Reports each problem.
 */
export function checkServiceSpec(spec: unknown, report: Report, rules: ReadonlyMap<string, RuntimeRules>, context: SpecCheckContext): void {
  if (!isRecord(spec)) {
    report('(spec)', `is ${describe(spec)}; a service spec is an object { name, runtime, ... }`);
    return;
  }
  if (typeof spec.name !== 'string' || !SERVICE_NAME.test(spec.name)) {
    report('name', `'${String(spec.name)}' is not DNS-safe: use 2 to 32 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen`);
  }
  const runtime = rules.get(spec.runtime as string);
  if (runtime === undefined) {
    const known = [...rules.keys()];
    const nearest = typeof spec.runtime === 'string' ? nearestOf(spec.runtime, known) : undefined;
    report('runtime', `'${String(spec.runtime)}' is not a runtime the platform knows (${known.join(', ')})${nearest === undefined ? '' : `; did you mean '${nearest}'?`}`);
  }
  checkTopLevelFields(spec, runtime, rules, report);
  if (spec.description !== undefined && (typeof spec.description !== 'string' || spec.description.length > MAX_DESCRIPTION)) {
    report('description', typeof spec.description === 'string'
      ? `is ${spec.description.length} characters long; at most ${MAX_DESCRIPTION} are kept`
      : 'must be a string of at most 256 characters');
  }
  const base = spec as unknown as ServiceSpecBase;
  checkRoutes(base, report);
  checkConfig(base, report);
  checkEvents(base, report);
  checkTable(base, report);
  checkScaling(base, report);
  checkResilience(base, report);
  checkFeatureFlags(base, report);
  checkEntry(base, report);
  checkMonitoring(base as Parameters<typeof checkMonitoring>[0], report);
  try {
    runtime?.checkSpec(base, report, context);
  } catch (error) {
    // A runtime's rules may assume a shape the common checks have already refused; say so instead of a TypeError.
    report('(spec)', `the ${runtime?.name} runtime's rules could not check it: ${(error as Error).message}`);
  }
}

/** Fields beyond the common ones must be the runtime's own; another runtime's field is named as such. */
function checkTopLevelFields(spec: Record<string, unknown>, runtime: RuntimeRules | undefined, rules: ReadonlyMap<string, RuntimeRules>, report: Report): void {
  const own = [...SERVICE_FIELDS, ...(runtime?.specFields ?? [])];
  for (const field of Object.keys(spec)) {
    if (spec[field] === undefined || own.includes(field)) continue;
    const owners = [...rules.values()].filter((other) => other.specFields.includes(field));
    if (owners.length === 0) {
      const everyField = [...new Set([...own, ...[...rules.values()].flatMap((other) => other.specFields)])];
      report(field, `is not a known field${didYouMean(field, everyField)}`);
    } else if (runtime !== undefined) {
      const names = owners.map((other) => other.name);
      const listed = names.length === 1 ? `the ${names[0]} runtime` : `the ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} runtimes`;
      const reasons = owners.map((other) => other.fieldReasons?.[field]).filter((reason) => reason !== undefined);
      report(field, `is a field of ${listed}, not ${runtime.name}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}; remove it or change the runtime`);
    }
  }
}

function checkRoutes(spec: ServiceSpecBase, report: Report): void {
  if (spec.routes === undefined) return;
  if (!Array.isArray(spec.routes)) {
    report('routes', 'must be a list of { route: "METHOD /path" }');
    return;
  }
  spec.routes.forEach((route, i) => {
    if (!checkFields(route, ROUTE_FIELDS, `routes[${i}]`, report)) {
      report(`routes[${i}]`, 'must be an object { route: "METHOD /path", frontEnds?, requestBodySchema? }');
      return;
    }
    const parsed = parseRoute(String(route.route));
    if (typeof parsed === 'string') report(`routes[${i}].route`, parsed);
    if (route.frontEnds !== undefined) {
      if (!Array.isArray(route.frontEnds) || route.frontEnds.length === 0) {
        report(`routes[${i}].frontEnds`, `must list at least one of ${FRONT_ENDS.join(', ')}, or be left out for all`);
      } else {
        for (const frontEnd of route.frontEnds) {
          if (!FRONT_ENDS.includes(frontEnd)) report(`routes[${i}].frontEnds`, `'${String(frontEnd)}' is not one of ${FRONT_ENDS.join(', ')}`);
        }
      }
    }
    if (route.requestBodySchema !== undefined) {
      if (!isRecord(route.requestBodySchema)) {
        report(`routes[${i}].requestBodySchema`, 'must be a JSON Schema object');
      } else if (typeof parsed !== 'string' && (parsed.method === 'GET' || parsed.method === 'DELETE')) {
        report(`routes[${i}].requestBodySchema`, `is set on ${parsed.method}, which carries no body`);
      } else {
        const problem = requestBodySchemaProblem(route.requestBodySchema);
        if (problem !== undefined) report(`routes[${i}].requestBodySchema`, problem);
      }
    }
  });
}

function checkConfig(spec: ServiceSpecBase, report: Report): void {
  if (spec.config !== undefined) {
    if (!isRecord(spec.config)) {
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

function checkEvents(spec: ServiceSpecBase, report: Report): void {
  if (spec.events === undefined) return;
  if (!checkFields(spec.events, EVENTS_FIELDS, 'events', report)) {
    report('events', 'must be an object { publishes?, consumes? }');
    return;
  }
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

function checkTable(spec: ServiceSpecBase, report: Report): void {
  const table = spec.table;
  if (table === undefined) return;
  if (!checkFields(table, TABLE_FIELDS, 'table', report)) {
    report('table', 'must be an object { partitionKey, sortKey?, timeToLiveAttribute? }');
    return;
  }
  checkAttributes(table as unknown as Record<string, unknown>, ['partitionKey', 'sortKey', 'timeToLiveAttribute'], 'table', report);
  if (table.sortKey !== undefined && table.sortKey === table.partitionKey) {
    report('table.sortKey', 'must differ from the partition key');
  }
}

/** Bounds every runtime shares; a runtime's rules narrow them (containers run at least one instance, Lambda scales from zero). */
function checkScaling(spec: ServiceSpecBase, report: Report): void {
  const scaling = spec.scaling;
  if (scaling === undefined) return;
  if (!checkFields(scaling, SCALING_FIELDS, 'scaling', report)) {
    report('scaling', 'must be an object { min, max, cpuTargetPercent?, requestsPerTargetPerMinute? }');
    return;
  }
  if (!isWholeNumber(scaling.min, 0, 1000)) report('scaling.min', `${String(scaling.min)} must be a whole number from 0 to 1000`);
  if (!isWholeNumber(scaling.max, 1, 1000)) report('scaling.max', `${String(scaling.max)} must be a whole number from 1 to 1000`);
  if (typeof scaling.min === 'number' && typeof scaling.max === 'number' && scaling.min > scaling.max) {
    report('scaling', `min (${scaling.min}) is above max (${scaling.max})`);
  }
  if (scaling.cpuTargetPercent !== undefined && !isWholeNumber(scaling.cpuTargetPercent, 10, 90)) {
    report('scaling.cpuTargetPercent', `${String(scaling.cpuTargetPercent)} must be a whole percentage from 10 to 90`);
  }
  if (scaling.requestsPerTargetPerMinute !== undefined && !isWholeNumber(scaling.requestsPerTargetPerMinute, 1, 1_000_000)) {
    report('scaling.requestsPerTargetPerMinute', `${String(scaling.requestsPerTargetPerMinute)} must be a whole number from 1 to 1000000`);
  }
}

/** The most a REST API integration may wait. */
const MAX_INTEGRATION_TIMEOUT_MS = 29_000;

/**
 * Each policy names a declared call and has numbers in range; the budgets must fit inside the
 * gateway's 29 s for routed services (and, by the lambda runtime's rules, inside a function's own
 * timeout), so a retry never outlives the request it serves. An entry (BFF) needs a policy for every call.
 */
function checkResilience(spec: ServiceSpecBase, report: Report): void {
  const resilience = spec.resilience;
  const calls = Array.isArray(spec.calls) ? spec.calls : [];
  if (resilience === undefined) {
    if (spec.entry !== undefined && calls.length > 0) {
      report('resilience', `is missing; an entry service must declare a policy for each service it calls (${calls.join(', ')})`);
    }
    return;
  }
  if (!isRecord(resilience)) {
    report('resilience', 'must be an object of callee name to { timeoutMs, retries, ... }');
    return;
  }
  for (const [callee, policy] of Object.entries(resilience)) {
    if (!calls.includes(callee)) report(`resilience.${callee}`, `names '${callee}', which is not in calls; a policy applies to a declared call`);
    if (!isRecord(policy)) {
      report(`resilience.${callee}`, 'must be an object { timeoutMs, retries?, backoffMs?, errorThresholdPercent?, volumeThreshold?, resetTimeoutMs?, rollingWindowMs? }');
      continue;
    }
    for (const [field, value] of Object.entries(policy)) {
      const bounds = POLICY_BOUNDS[field as keyof typeof POLICY_BOUNDS];
      if (bounds === undefined) report(`resilience.${callee}.${field}`, `is not a policy field${didYouMean(field, POLICY_FIELDS)}`);
      else if (!isWholeNumber(value, bounds[0], bounds[1])) report(`resilience.${callee}.${field}`, `${String(value)} must be a whole number from ${bounds[0]} to ${bounds[1]}`);
    }
    if (policy.timeoutMs === undefined) report(`resilience.${callee}.timeoutMs`, 'is required');
  }
  if (spec.entry !== undefined) {
    for (const callee of calls) if (!(callee in resilience)) report(`resilience.${callee}`, `is missing; an entry service must declare a policy for each service it calls`);
  }
  if (!isUsableResilience(resilience)) return;
  const total = integrationTimeoutMsOf({ resilience }) ?? 0;
  if (Array.isArray(spec.routes) && spec.routes.length > 0 && total > MAX_INTEGRATION_TIMEOUT_MS) {
    report('resilience', `${callBudgetsExplained(resilience)}, longer than the ${MAX_INTEGRATION_TIMEOUT_MS} ms an API Gateway integration may wait`);
  }
}

const FLAG_NAME = /^[a-zA-Z][a-zA-Z0-9]{0,63}$/;

function checkFeatureFlags(spec: ServiceSpecBase, report: Report): void {
  const flags = spec.featureFlags;
  if (flags === undefined) return;
  if (!isRecord(flags) || Object.keys(flags).length === 0) {
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

function checkEntry(spec: ServiceSpecBase, report: Report): void {
  const entry = spec.entry;
  if (entry === undefined) return;
  if (!checkFields(entry, ENTRY_FIELDS, 'entry', report)) {
    report('entry', 'must be an object { frontEnd, basePath, rateLimit, burstLimit, quota, maxBodyBytes, clientTimeoutMs }');
    return;
  }
  checkFields(entry.quota, QUOTA_FIELDS, 'entry.quota', report);
  if (!FRONT_ENDS.includes(entry.frontEnd)) report('entry.frontEnd', `'${String(entry.frontEnd)}' is not one of ${FRONT_ENDS.join(', ')}`);
  const basePathOk = typeof entry.basePath === 'string' && BASE_PATH.test(entry.basePath);
  if (!basePathOk) report('entry.basePath', `'${String(entry.basePath)}' must be one path segment of lowercase letters, digits and hyphens, e.g. /web`);
  if (!(typeof entry.rateLimit === 'number' && entry.rateLimit > 0 && entry.rateLimit <= 10_000)) report('entry.rateLimit', `${String(entry.rateLimit)} must be a number of requests per second above 0 and at most 10000`);
  if (!isWholeNumber(entry.burstLimit, 1, 5000)) report('entry.burstLimit', `${String(entry.burstLimit)} must be a whole number from 1 to 5000`);
  if (!isWholeNumber(entry.quota?.limit, 1, 1_000_000_000)) report('entry.quota.limit', `${String(entry.quota?.limit)} must be a whole number of requests from 1`);
  if (!QUOTA_PERIODS.includes(entry.quota?.period)) report('entry.quota.period', `'${String(entry.quota?.period)}' is not one of ${QUOTA_PERIODS.join(', ')}`);
  if (!isWholeNumber(entry.maxBodyBytes, 1, MAX_INSPECTED_BODY_BYTES)) report('entry.maxBodyBytes', `${String(entry.maxBodyBytes)} must be a whole number of bytes from 1 to ${MAX_INSPECTED_BODY_BYTES} (what the firewall inspects)`);
  if (!isWholeNumber(entry.clientTimeoutMs, 1000, 120_000)) {
    report('entry.clientTimeoutMs', `${String(entry.clientTimeoutMs)} must be whole milliseconds from 1000 to 120000`);
  } else {
    const integration = (isUsableResilience(spec.resilience) ? integrationTimeoutMsOf(spec) : undefined) ?? MAX_INTEGRATION_TIMEOUT_MS;
    if (integration >= entry.clientTimeoutMs) {
      report('entry.clientTimeoutMs', `${entry.clientTimeoutMs} ms is not longer than the gateway's integration timeout for the entry (${integration} ms, from the resilience policies): the client would give up before the gateway answers`);
    }
  }
  routesOf(spec).forEach(({ route, parsed, index }) => {
    if (basePathOk && parsed.segments[0] !== entry.basePath.slice(1)) report(`routes[${index}].route`, `'${route.route}' is outside the entry's base path ${entry.basePath}`);
    const frontEnds = route.frontEnds;
    if (!Array.isArray(frontEnds) || frontEnds.length !== 1 || frontEnds[0] !== entry.frontEnd) {
      report(`routes[${index}].frontEnds`, `must be ['${String(entry.frontEnd)}']: an entry's routes are exposed to its own front end only`);
    }
  });
}

/** The spec's well-formed routes, parsed, with their index. */
function routesOf(spec: ServiceSpecBase): { route: NonNullable<ServiceSpecBase['routes']>[number]; parsed: ParsedRoute; index: number }[] {
  if (!Array.isArray(spec.routes)) return [];
  return spec.routes.flatMap((route, index) => {
    if (!isRecord(route)) return [];
    const parsed = parseRoute(String(route.route));
    return typeof parsed === 'string' ? [] : [{ route, parsed, index }];
  });
}

type Label = (spec: ServiceSpecBase) => string;

/**
 * Two routes clash when they have the same method and the same path once parameter names
 * are ignored. REST APIs also forbid two different parameter names at one level of the tree.
 */
function checkRoutesAcrossServices(catalog: readonly ServiceSpecBase[], label: Label, problems: SpecProblem[]): void {
  const owners = new Map<string, string>();
  const paramAtLevel = new Map<string, { name: string; where: string }>();
  for (const spec of catalog) {
    const service = label(spec);
    for (const { route, parsed, index: i } of routesOf(spec)) {
      const key = `${parsed.method} ${shapeOf(parsed)}`;
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
    }
  }
}

function shapeOf(route: ParsedRoute): string {
  return '/' + route.segments.map((s) => (s.startsWith('{') ? '{}' : s)).join('/');
}

/** The gateway names each body schema's model from the service name without its hyphens, so `ab-c` and `abc` could make the same one. */
function checkRequestModelNames(catalog: readonly ServiceSpecBase[], label: Label, problems: SpecProblem[]): void {
  const owners = new Map<string, string>();
  for (const spec of catalog) {
    if (typeof spec.name !== 'string') continue;
    for (const { route, parsed, index } of routesOf(spec)) {
      if (route.requestBodySchema === undefined) continue;
      const modelName = requestModelNameOf(spec.name, parsed.method, index);
      const owner = owners.get(modelName);
      if (owner !== undefined) {
        problems.push({ service: label(spec), field: `routes[${index}].requestBodySchema`, message: `makes the gateway model name '${modelName}', which ${owner} makes too; rename one of the services` });
      } else {
        owners.set(modelName, `service '${label(spec)}' (routes[${index}])`);
      }
    }
  }
}

function checkEventsAcrossServices(catalog: readonly ServiceSpecBase[], label: Label, problems: SpecProblem[]): void {
  const published = new Set<string>();
  for (const spec of catalog) {
    if (Array.isArray(spec.events?.publishes)) spec.events.publishes.forEach((type) => published.add(type));
  }
  for (const spec of catalog) {
    const consumes = spec.events?.consumes;
    if (!Array.isArray(consumes)) continue;
    consumes.forEach((type, i) => {
      if (!published.has(type)) {
        problems.push({ service: label(spec), field: `events.consumes[${i}]`, message: `no service in the catalog publishes '${type}'` });
      }
    });
  }
}

/** Every call names another service of the catalog that the callee's runtime lets the caller reach; no cycles. */
function checkDependencies(catalog: readonly ServiceSpecBase[], label: Label, rules: ReadonlyMap<string, RuntimeRules>, problems: SpecProblem[]): void {
  const byName = new Map(catalog.map((spec) => [spec.name, spec]));
  const edges = new Map<string, string[]>();
  for (const spec of catalog) {
    if (spec.calls === undefined) continue;
    const service = label(spec);
    if (!Array.isArray(spec.calls)) {
      problems.push({ service, field: 'calls', message: 'must be a list of service names' });
      continue;
    }
    const valid: string[] = [];
    spec.calls.forEach((callee, i) => {
      const target = byName.get(callee);
      if (callee === spec.name) problems.push({ service, field: `calls[${i}]`, message: 'a service cannot call itself through discovery' });
      else if (target === undefined) problems.push({ service, field: `calls[${i}]`, message: `'${String(callee)}' is not a service in the catalog` });
      else {
        valid.push(callee);
        const refusal = rules.get(target.runtime)?.refuseCallFrom?.(spec, target);
        if (refusal !== undefined) problems.push({ service, field: `calls[${i}]`, message: `'${callee}' runs on ${target.runtime}, which this ${String(spec.runtime)} service cannot reach: ${refusal}` });
      }
    });
    edges.set(spec.name, valid);
  }

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

/** One entry per front end and per base path; no other service routes under an entry's base path. */
function checkEntriesAcrossServices(catalog: readonly ServiceSpecBase[], label: Label, problems: SpecProblem[]): void {
  const byFrontEnd = new Map<string, string>();
  const byBasePath = new Map<string, string>();
  for (const spec of catalog) {
    const entry = spec.entry;
    if (!isRecord(entry)) continue;
    const service = label(spec);
    const frontOwner = byFrontEnd.get(entry.frontEnd);
    if (frontOwner !== undefined) problems.push({ service, field: 'entry.frontEnd', message: `'${entry.frontEnd}' already has its entry in service '${frontOwner}'` });
    else byFrontEnd.set(entry.frontEnd, service);
    const pathOwner = byBasePath.get(entry.basePath);
    if (pathOwner !== undefined) problems.push({ service, field: 'entry.basePath', message: `${entry.basePath} is already the base path of service '${pathOwner}'` });
    else byBasePath.set(entry.basePath, service);
  }
  for (const spec of catalog) {
    if (spec.entry !== undefined) continue;
    for (const { route, parsed, index } of routesOf(spec)) {
      const owner = byBasePath.get(`/${parsed.segments[0]}`);
      if (owner !== undefined) problems.push({ service: label(spec), field: `routes[${index}].route`, message: `'${route.route}' is under /${parsed.segments[0]}, the base path of the entry '${owner}'` });
    }
  }
}
