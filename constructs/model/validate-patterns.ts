import { SAGA_ACTION } from '../runtimes/lambda/lambda-spec-rules';
import { SagaCatalogError, SagaProblem } from './errors';
import { STATE_MACHINE_NAME, physicalNameProblem } from './physical-names';
import type { SagaActionSpec, SagaSpec, SagaStepSpec } from './saga-spec';
import type { ServiceSpec, ServiceSpecBase } from './service-spec';
import { Report, checkFields, fieldsOf, isRecord } from './spec-fields';
import { CatalogValidationOptions, rulesByName } from './validate-catalog';

export { SagaCatalogError } from './errors';
export type { SagaProblem } from './errors';

const SAGA_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const STEP_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;
const SAGA_FIELDS = fieldsOf<SagaSpec>({ name: true, startOn: true, steps: true, complete: true, reject: true });
const STEP_FIELDS = fieldsOf<SagaStepSpec>({ name: true, invoke: true, compensate: true });
const ACTION_FIELDS = fieldsOf<SagaActionSpec>({ service: true, action: true });

/**
 * Validates sagas against the catalog: names, steps, and that every action is one its service
 * declares in `sagaActions` (a field only runtimes that take saga actions have, today lambda), and
 * that some service publishes the event that starts the saga.
 *
 * @throws SagaCatalogError listing every problem, each naming the saga and the field
 */
export function validateSagas(sagas: readonly SagaSpec[], catalog: readonly ServiceSpec[], options: CatalogValidationOptions = {}): readonly SagaSpec[] {
  const problems = sagaProblems(sagas, catalog, options);
  if (problems.length > 0) throw new SagaCatalogError(problems);
  return sagas;
}

/** Every problem of the sagas (what {@link validateSagas} throws); the catalog need not be valid itself. */
export function sagaProblems(sagas: unknown, catalog: unknown, options: CatalogValidationOptions = {}): SagaProblem[] {
  if (!Array.isArray(sagas)) return [{ saga: '(sagas)', field: 'sagas', message: 'must be a list of saga specs' }];
  const problems: SagaProblem[] = [];
  const specs = (Array.isArray(catalog) ? catalog.filter(isRecord) : []) as unknown as ServiceSpecBase[];
  const services = new Map(specs.map((spec) => [spec.name, spec]));
  const published = new Set(specs.flatMap((spec) => (Array.isArray(spec.events?.publishes) ? spec.events.publishes : [])));
  const rules = rulesByName(options.runtimes);
  const takingActions = [...rules.values()].filter((r) => r.specFields.includes('sagaActions')).map((r) => r.name);
  const seen = new Set<string>();
  sagas.forEach((saga: unknown, index) => {
    const label = isRecord(saga) && typeof saga.name === 'string' && saga.name !== '' ? saga.name : `#${index}`;
    const report: Report = (field, message) => problems.push({ saga: label, field, message });
    if (!checkFields(saga, SAGA_FIELDS, '', report)) {
      report('(saga)', 'must be an object { name, startOn, steps, complete, reject }');
      return;
    }
    if (typeof saga.name !== 'string' || !SAGA_NAME.test(saga.name)) {
      report('name', `'${String(saga.name)}' is not DNS-safe: use 2 to 32 lowercase letters, digits and hyphens, starting with a letter`);
    } else {
      if (seen.has(saga.name)) report('name', 'is declared twice');
      seen.add(saga.name);
      const problem = options.namePrefix === undefined ? undefined : physicalNameProblem(`${options.namePrefix}-${saga.name}`, STATE_MACHINE_NAME);
      if (problem !== undefined) report('name', problem);
    }
    if (!published.has(saga.startOn as string)) report('startOn', `no service in the catalog publishes '${String(saga.startOn)}'`);
    const checkAction = (field: string, action: unknown) => {
      if (action === undefined) {
        report(field, 'is required: give { service, action }');
        return;
      }
      if (!checkFields(action, ACTION_FIELDS, field, report)) {
        report(field, 'must be an object { service, action }');
        return;
      }
      const actionOk = typeof action.action === 'string' && SAGA_ACTION.test(action.action);
      if (!actionOk) report(`${field}.action`, `'${String(action.action)}' must be camelCase, e.g. reserveStock`);
      const service = services.get(action.service as string);
      if (service === undefined) {
        report(`${field}.service`, `'${String(action.service)}' is not a service of the catalog`);
      } else if (!takingActions.includes(service.runtime)) {
        report(`${field}.service`, `'${service.name}' runs on '${String(service.runtime)}'; saga actions invoke ${takingActions.join(' or ')} services`);
      } else if (actionOk) {
        const declared = (service as { sagaActions?: unknown }).sagaActions;
        const list = Array.isArray(declared) ? declared : [];
        if (!list.includes(action.action)) {
          report(`${field}.action`, list.length === 0
            ? `'${String(action.action)}' is not handled by '${service.name}', which declares no sagaActions; list the actions its function handles there`
            : `'${String(action.action)}' is not one of the sagaActions of '${service.name}' (${list.join(', ')})`);
        }
      }
    };
    if (!Array.isArray(saga.steps) || saga.steps.length === 0) {
      report('steps', 'must list at least one step');
    } else {
      const stepNames = new Set<string>(['Complete', 'Reject']);
      saga.steps.forEach((step: unknown, i) => {
        if (!checkFields(step, STEP_FIELDS, `steps[${i}]`, report)) {
          report(`steps[${i}]`, 'must be an object { name, invoke, compensate }');
          return;
        }
        if (typeof step.name !== 'string' || !STEP_NAME.test(step.name)) report(`steps[${i}].name`, `'${String(step.name)}' must be PascalCase, e.g. ReserveInventory`);
        else if (stepNames.has(step.name)) report(`steps[${i}].name`, `'${step.name}' is used twice (Complete and Reject are taken)`);
        stepNames.add(step.name as string);
        checkAction(`steps[${i}].invoke`, step.invoke);
        checkAction(`steps[${i}].compensate`, step.compensate);
      });
    }
    checkAction('complete', saga.complete);
    checkAction('reject', saga.reject);
  });
  return problems;
}
