/**
 * The fields each object of a spec may have, and the check that refuses any other, naming the
 * nearest known field. Plain JavaScript users get no compiler to catch `rutes` for `routes`; this
 * does, instead of the field being silently ignored.
 */
import type { EntrySpec, EventSourcingSpec, EventsSpec, IndexSpec, MonitoringSpec, ResiliencePolicy, RouteSpec, ScalingSpec, ServiceSpecBase, TableSpec } from './service-spec';

/** Reports one problem of one field (the field in dotted form). */
export type Report = (field: string, message: string) => void;

/** Every key of `T`, checked by the compiler: a field added to the interface must be added here too. */
export function fieldsOf<T>(fields: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(fields);
}

/** The fields every spec may set, whatever its runtime. */
export const SERVICE_FIELDS = fieldsOf<ServiceSpecBase>({
  name: true,
  description: true,
  runtime: true,
  routes: true,
  config: true,
  secrets: true,
  events: true,
  calls: true,
  resilience: true,
  featureFlags: true,
  entry: true,
  table: true,
  scaling: true,
  monitoring: true,
});
export const ROUTE_FIELDS = fieldsOf<RouteSpec>({ route: true, frontEnds: true, requestBodySchema: true });
export const TABLE_FIELDS = fieldsOf<TableSpec>({ partitionKey: true, sortKey: true, timeToLiveAttribute: true });
export const EVENTS_FIELDS = fieldsOf<EventsSpec>({ publishes: true, consumes: true });
export const SCALING_FIELDS = fieldsOf<ScalingSpec>({ min: true, max: true, cpuTargetPercent: true, requestsPerTargetPerMinute: true });
export const MONITORING_FIELDS = fieldsOf<MonitoringSpec>({ errorRatePercent: true, latencyP99Millis: true, deadLetterMessages: true, saturationPercent: true });
export const ENTRY_FIELDS = fieldsOf<EntrySpec>({ frontEnd: true, basePath: true, rateLimit: true, burstLimit: true, quota: true, maxBodyBytes: true, clientTimeoutMs: true });
export const QUOTA_FIELDS = fieldsOf<EntrySpec['quota']>({ limit: true, period: true });
export const POLICY_FIELDS = fieldsOf<ResiliencePolicy>({
  timeoutMs: true,
  retries: true,
  backoffMs: true,
  errorThresholdPercent: true,
  volumeThreshold: true,
  resetTimeoutMs: true,
  rollingWindowMs: true,
});
export const EVENT_SOURCING_FIELDS = fieldsOf<EventSourcingSpec>({ readModel: true, projectionBatchSize: true });
export const READ_MODEL_FIELDS = fieldsOf<EventSourcingSpec['readModel']>({ partitionKey: true, sortKey: true, timeToLiveAttribute: true, indexes: true });
export const INDEX_FIELDS = fieldsOf<IndexSpec>({ name: true, partitionKey: true, sortKey: true });

/**
 * Edit distance (Levenshtein) between two short strings. A dozen lines rather than a dependency:
 * it compares field names of a few characters, once per unknown field, so neither speed nor
 * Unicode subtleties matter, and the library stays free of one more package to pin and audit.
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate nearest to `name`, when it is near enough to be a likely slip (case aside): one
 * holds the other (`burst` for `burstLimit`), or at most half of its letters differ (`rutes`).
 */
export function nearestOf(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const known = candidate.toLowerCase();
    const holds = Math.min(wanted.length, known.length) >= 3 && (known.includes(wanted) || wanted.includes(known));
    const distance = editDistance(wanted, known);
    if (!holds && distance > Math.max(2, Math.floor(known.length / 2))) continue;
    const score = holds ? 0.5 : distance;
    if (best === undefined || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}

/** `; did you mean 'routes'?`, or the list of known names when none is near. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const nearest = nearestOf(name, candidates);
  return nearest === undefined ? `; known: ${candidates.join(', ')}` : `; did you mean '${nearest}'?`;
}

/** Whether the value is a whole number from `min` to `max`. */
export function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Whether the value is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses every field of `value` not in `known` (and not left undefined), naming the nearest known one. `path` is the
 * object's own field (`lambda`, `routes[0]`), or '' for the spec itself. Returns false when
 * `value` is not an object, so the caller can say what it should be.
 */
export function checkFields(value: unknown, known: readonly string[], path: string, report: Report): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  for (const field of Object.keys(value)) {
    if (value[field] !== undefined && !known.includes(field)) report(path === '' ? field : `${path}.${field}`, `is not a known field${didYouMean(field, known)}`);
  }
  return true;
}

const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;

/** Each of `fields` (the first required, the rest optional) is a valid attribute name. */
export function checkAttributes(object: Record<string, unknown>, fields: readonly string[], path: string, report: Report): void {
  fields.forEach((field, i) => {
    const value = object[field];
    if (value === undefined && i > 0) return;
    if (typeof value !== 'string' || !ATTRIBUTE.test(value)) report(`${path}.${field}`, `'${String(value)}' is not a valid attribute name`);
  });
}
