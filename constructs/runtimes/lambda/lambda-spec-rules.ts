/**
 * What the lambda runtime asks of its specs: the `lambda` block (an entry file that exports its
 * handler, memory, timeout), event sourcing and saga actions (which only a function can take),
 * scaling by concurrency from zero, call budgets within the function's timeout, and a function
 * name Lambda accepts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { physicalNameProblem } from '../../model/physical-names';
import { DEFAULT_LAMBDA_TIMEOUT_SECONDS } from '../../model/monitoring-policy';
import { callBudgetsExplained, integrationTimeoutMsOf, isUsableResilience } from '../../model/resilience-policy';
import type { RuntimeRules } from '../../model/runtime-rules';
import type { LambdaServiceSpec, LambdaSpec } from '../../model/service-spec';
import { EVENT_SOURCING_FIELDS, INDEX_FIELDS, READ_MODEL_FIELDS, Report, checkAttributes, checkFields, fieldsOf, isRecord, isWholeNumber } from '../../model/spec-fields';
import type { SpecCheckContext } from '../service-runtime';
import { entryExportsOf } from './handler-exports';

/** The fields of a `lambda` block. */
export const LAMBDA_FIELDS = fieldsOf<LambdaSpec>({ entry: true, handler: true, memoryMiB: true, timeoutSeconds: true });

/** API Gateway's default integration timeout caps a routed Lambda's useful run time (seconds). */
const MAX_ROUTED_LAMBDA_TIMEOUT = 29;
const INDEX_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** A saga action: camelCase, as the saga spec writes it. */
export const SAGA_ACTION = /^[a-z][A-Za-z0-9]{0,63}$/;

/** The lambda runtime's spec rules. */
export const lambdaSpecRules: RuntimeRules<LambdaServiceSpec> = {
  name: 'lambda',
  specFields: ['lambda', 'eventSourcing', 'sagaActions'],
  fieldReasons: {
    eventSourcing: "the event store's stream feeds a Lambda function",
    sagaActions: "a saga's state machine invokes Lambda functions",
  },
  checkSpec(spec, report, context) {
    checkFunction(spec, report, context);
    checkLambdaScaling(spec, report);
    checkEventSourcing(spec.eventSourcing, report);
    checkSagaActions(spec.sagaActions, report);
    checkBudgetWithinTimeout(spec, report);
  },
};

function checkFunction(spec: LambdaServiceSpec, report: Report, context: SpecCheckContext): void {
  if (context.namePrefix !== undefined) {
    const problem = physicalNameProblem(`${context.namePrefix}-${spec.name}`, { what: 'function name', owner: 'Lambda', max: 64 });
    if (problem !== undefined) report('name', problem);
  }
  const lambda = spec.lambda;
  if (lambda === undefined || lambda === null) {
    report('lambda', 'is required for the lambda runtime: give at least { entry }');
    return;
  }
  if (!checkFields(lambda, LAMBDA_FIELDS, 'lambda', report)) {
    report('lambda', 'must be an object { entry, handler?, memoryMiB?, timeoutSeconds? }');
    return;
  }
  const handlerOk = lambda.handler === undefined || (typeof lambda.handler === 'string' && IDENTIFIER.test(lambda.handler));
  if (!handlerOk) report('lambda.handler', `'${String(lambda.handler)}' is not an exported function name`);
  if (typeof lambda.entry !== 'string' || !path.isAbsolute(lambda.entry)) {
    report('lambda.entry', `'${String(lambda.entry)}' must be an absolute path to the handler module`);
  } else if (!fs.existsSync(lambda.entry) || !fs.statSync(lambda.entry).isFile()) {
    report('lambda.entry', `'${lambda.entry}' is not a file`);
  } else if (handlerOk) {
    checkHandlerExported(lambda.entry, lambda.handler ?? 'handler', report);
  }
  if (lambda.memoryMiB !== undefined && !isWholeNumber(lambda.memoryMiB, 128, 10240)) {
    report('lambda.memoryMiB', `${String(lambda.memoryMiB)} must be a whole number from 128 to 10240`);
  }
  if (lambda.timeoutSeconds !== undefined) {
    const cap = Array.isArray(spec.routes) && spec.routes.length > 0 ? MAX_ROUTED_LAMBDA_TIMEOUT : 900;
    if (!isWholeNumber(lambda.timeoutSeconds, 1, cap)) {
      report('lambda.timeoutSeconds', `${String(lambda.timeoutSeconds)} must be a whole number from 1 to ${cap}` +
        (cap === MAX_ROUTED_LAMBDA_TIMEOUT ? ' because the service has routes and the gateway waits at most 29 s' : ''));
    }
  }
}

function checkHandlerExported(entry: string, handler: string, report: Report): void {
  const exports = entryExportsOf(entry);
  if ('error' in exports) {
    report('lambda.entry', `'${entry}' cannot be bundled: ${exports.error}`);
  } else if (exports.complete && !exports.names.includes(handler)) {
    const found = exports.names.length === 0 ? 'nothing' : exports.names.join(', ');
    report(handler === 'handler' ? 'lambda.entry' : 'lambda.handler', `'${entry}' does not export '${handler}' (it exports ${found})`);
  }
}

function checkLambdaScaling(spec: LambdaServiceSpec, report: Report): void {
  const scaling = spec.scaling;
  if (!isRecord(scaling)) return;
  if (scaling.cpuTargetPercent !== undefined || scaling.requestsPerTargetPerMinute !== undefined) {
    report('scaling', 'sets container scaling targets, but a lambda service scales by concurrency; remove cpuTargetPercent and requestsPerTargetPerMinute');
  }
  if (typeof scaling.min === 'number' && scaling.min !== 0) {
    report('scaling.min', `is ${scaling.min}, but a lambda service scales from zero (max caps its reserved concurrency); provisioned concurrency is not modelled`);
  }
}

/** The budgets of the calls must fit inside the function's own timeout, so a retry never outlives the invocation. */
function checkBudgetWithinTimeout(spec: LambdaServiceSpec, report: Report): void {
  if (spec.resilience === undefined || !isUsableResilience(spec.resilience) || !isRecord(spec.lambda)) return;
  const timeoutSeconds = spec.lambda.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeoutSeconds)) return;
  const ownMs = timeoutSeconds * 1000;
  const total = integrationTimeoutMsOf(spec) ?? 0;
  if (total > ownMs) {
    report('resilience', `${callBudgetsExplained(spec.resilience)}, longer than the caller's own timeout (lambda.timeoutSeconds, ${ownMs} ms): lower the retries or timeouts, or raise the timeout`);
  }
}

function checkSagaActions(actions: unknown, report: Report): void {
  if (actions === undefined) return;
  if (!Array.isArray(actions)) {
    report('sagaActions', 'must be a list of the saga actions the function handles, e.g. [\'reserveStock\']');
    return;
  }
  const seen = new Set<unknown>();
  actions.forEach((action, i) => {
    if (typeof action !== 'string' || !SAGA_ACTION.test(action)) report(`sagaActions[${i}]`, `'${String(action)}' must be camelCase, e.g. reserveStock`);
    else if (seen.has(action)) report(`sagaActions[${i}]`, `'${action}' is listed twice`);
    seen.add(action);
  });
}

/** Event store and read model: the read model's keys and indexes, and the projection's batch size. */
function checkEventSourcing(sourcing: unknown, report: Report): void {
  if (sourcing === undefined) return;
  if (!checkFields(sourcing, EVENT_SOURCING_FIELDS, 'eventSourcing', report)) {
    report('eventSourcing', 'must be an object { readModel, projectionBatchSize? }');
    return;
  }
  const model = sourcing.readModel;
  if (!checkFields(model, READ_MODEL_FIELDS, 'eventSourcing.readModel', report)) {
    report('eventSourcing.readModel', 'is required: give at least { partitionKey }');
    return;
  }
  checkAttributes(model, ['partitionKey', 'sortKey', 'timeToLiveAttribute'], 'eventSourcing.readModel', report);
  if (model.indexes !== undefined && !Array.isArray(model.indexes)) {
    report('eventSourcing.readModel.indexes', 'must be a list of { name, partitionKey, sortKey? }');
  } else {
    const names = new Set<unknown>();
    ((model.indexes ?? []) as unknown[]).forEach((index, i) => {
      const field = `eventSourcing.readModel.indexes[${i}]`;
      if (!checkFields(index, INDEX_FIELDS, field, report)) {
        report(field, 'must be an object { name, partitionKey, sortKey? }');
        return;
      }
      if (typeof index.name !== 'string' || !INDEX_NAME.test(index.name)) report(`${field}.name`, `'${String(index.name)}' must be 3 to 255 letters, digits, dots, hyphens or underscores`);
      else if (names.has(index.name)) report(`${field}.name`, `'${index.name}' is declared twice`);
      names.add(index.name);
      checkAttributes(index, ['partitionKey', 'sortKey'], field, report);
    });
  }
  const batch = sourcing.projectionBatchSize;
  if (batch !== undefined && !isWholeNumber(batch, 1, 100)) {
    report('eventSourcing.projectionBatchSize', `${String(batch)} must be a whole number from 1 to 100`);
  }
}
