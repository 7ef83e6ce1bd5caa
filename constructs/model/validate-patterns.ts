import { SpecProblem } from './errors';
import type { SagaActionSpec, SagaSpec } from './saga-spec';
import type { ServiceSpec } from './service-spec';

const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,254}$/;
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const SAGA_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const STEP_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;
const ACTION = /^[a-z][A-Za-z0-9]{0,63}$/;

/** One thing wrong with one field of one saga spec. */
export interface SagaProblem {
  /** The saga name as written (or its index). */
  readonly saga: string;
  /** The field, in dotted form, e.g. `steps[1].invoke.service`. */
  readonly field: string;
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** Thrown when the sagas do not fit the catalog; lists every problem found. */
export class SagaCatalogError extends Error {
  constructor(public readonly problems: SagaProblem[]) {
    super(
      `Invalid sagas (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - saga '${p.saga}', field '${p.field}': ${p.message}`).join('\n'),
    );
    this.name = 'SagaCatalogError';
  }
}

/** Problems of a spec's `eventSourcing`, each naming the service and the field. */
export function eventSourcingProblems(spec: ServiceSpec, service: string): SpecProblem[] {
  const sourcing = spec.eventSourcing;
  if (sourcing === undefined) return [];
  const problems: SpecProblem[] = [];
  const report = (field: string, message: string) => problems.push({ service, field: field === '' ? 'eventSourcing' : `eventSourcing.${field}`, message });
  if (spec.runtime !== 'lambda') report('', `is set, but only lambda services are fed by the event store's stream; this one runs on '${String((spec as { runtime: unknown }).runtime)}'`);
  const model = sourcing.readModel;
  if (typeof model !== 'object' || model === null) {
    report('readModel', 'is required: give at least { partitionKey }');
    return problems;
  }
  for (const field of ['partitionKey', 'sortKey', 'timeToLiveAttribute'] as const) {
    const value = model[field];
    if (value === undefined && field !== 'partitionKey') continue;
    if (typeof value !== 'string' || !ATTRIBUTE.test(value)) report(`readModel.${field}`, `'${String(value)}' is not a valid attribute name`);
  }
  const names = new Set<string>();
  (model.indexes ?? []).forEach((index, i) => {
    if (!INDEX_NAME.test(String(index?.name))) report(`readModel.indexes[${i}].name`, `'${String(index?.name)}' must be 3 to 255 letters, digits, dots, hyphens or underscores`);
    else if (names.has(index.name)) report(`readModel.indexes[${i}].name`, `'${index.name}' is declared twice`);
    names.add(index?.name);
    for (const field of ['partitionKey', 'sortKey'] as const) {
      const value = index?.[field];
      if (value === undefined && field === 'sortKey') continue;
      if (typeof value !== 'string' || !ATTRIBUTE.test(value)) report(`readModel.indexes[${i}].${field}`, `'${String(value)}' is not a valid attribute name`);
    }
  });
  const batch = sourcing.projectionBatchSize;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 100)) {
    report('projectionBatchSize', `${String(batch)} must be a whole number from 1 to 100`);
  }
  return problems;
}

/**
 * Validates sagas against a (valid) catalog: names, steps, that every action's service is a lambda
 * service of the catalog, and that some service publishes the event that starts the saga.
 *
 * @throws SagaCatalogError listing every problem, each naming the saga and the field
 */
export function validateSagas(sagas: readonly SagaSpec[], catalog: readonly ServiceSpec[]): readonly SagaSpec[] {
  const problems: SagaProblem[] = [];
  const services = new Map(catalog.map((spec) => [spec.name, spec]));
  const published = new Set(catalog.flatMap((spec) => spec.events?.publishes ?? []));
  const seen = new Set<string>();
  sagas.forEach((saga, index) => {
    const label = typeof saga?.name === 'string' && saga.name !== '' ? saga.name : `#${index}`;
    const report = (field: string, message: string) => problems.push({ saga: label, field, message });
    if (typeof saga.name !== 'string' || !SAGA_NAME.test(saga.name)) report('name', `'${String(saga.name)}' is not DNS-safe: use 2 to 32 lowercase letters, digits and hyphens, starting with a letter`);
    else if (seen.has(saga.name)) report('name', 'is declared twice');
    seen.add(saga.name);
    if (!published.has(saga.startOn)) report('startOn', `no service in the catalog publishes '${String(saga.startOn)}'`);
    const checkAction = (field: string, action: SagaActionSpec | undefined) => {
      if (action === undefined) {
        report(field, 'is required: give { service, action }');
        return;
      }
      const service = services.get(action.service);
      if (service === undefined) report(`${field}.service`, `'${String(action.service)}' is not a service of the catalog`);
      else if (service.runtime !== 'lambda') report(`${field}.service`, `'${action.service}' runs on '${service.runtime}'; saga actions invoke lambda services`);
      if (!ACTION.test(String(action.action))) report(`${field}.action`, `'${String(action.action)}' must be camelCase, e.g. reserveStock`);
    };
    if (!Array.isArray(saga.steps) || saga.steps.length === 0) {
      report('steps', 'must list at least one step');
    } else {
      const stepNames = new Set<string>(['Complete', 'Reject']);
      saga.steps.forEach((step, i) => {
        if (!STEP_NAME.test(String(step?.name))) report(`steps[${i}].name`, `'${String(step?.name)}' must be PascalCase, e.g. ReserveInventory`);
        else if (stepNames.has(step.name)) report(`steps[${i}].name`, `'${step.name}' is used twice (Complete and Reject are taken)`);
        stepNames.add(step?.name);
        checkAction(`steps[${i}].invoke`, step?.invoke);
        checkAction(`steps[${i}].compensate`, step?.compensate);
      });
    }
    checkAction('complete', saga.complete);
    checkAction('reject', saga.reject);
  });
  if (problems.length > 0) throw new SagaCatalogError(problems);
  return sagas;
}
