/**
 * The checks every container runtime makes of a spec's `container` block (fargate and kubernetes
 * both call {@link checkContainer}); CPU and memory, which each runtime measures its own way, are
 * left to the runtime.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COLLECTOR_PORTS } from '../model/service-contract';
import type { ContainerSpec, ScalingSpec, ShutdownBudget } from '../model/service-spec';
import { shutdownBudgetOf } from '../model/service-spec';
import { Report, checkFields, fieldsOf, isWholeNumber } from '../model/spec-fields';

/** The fields of a `container` block. */
export const CONTAINER_FIELDS = fieldsOf<ContainerSpec>({
  port: true,
  cpu: true,
  memoryMiB: true,
  healthCheckPath: true,
  dockerfileDirectory: true,
  buildContext: true,
  preStopSeconds: true,
  drainSeconds: true,
  image: true,
  stopTimeoutSeconds: true,
  deregistrationDelaySeconds: true,
});

/** `name[:tag][@sha256:digest]`, lowercase repository path with an optional registry host and port. */
const IMAGE_REFERENCE = /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:[0-9a-f]{64})?$/;

/**
 * Checks the common part of a container spec: known fields, port (in range and not one the
 * collector beside the service takes), health path, image source, shutdown budget, image pin.
 * Returns the container when it is there to check further, else undefined (the problem reported).
 */
export function checkContainer(spec: { readonly runtime: string; readonly container?: unknown }, report: Report): ContainerSpec | undefined {
  const container = spec.container;
  if (container === undefined || container === null) {
    report('container', `is required for the ${spec.runtime} runtime: give { port, cpu, memoryMiB, healthCheckPath, dockerfileDirectory }`);
    return undefined;
  }
  if (!checkFields(container, CONTAINER_FIELDS, 'container', report)) {
    report('container', 'must be an object { port, cpu, memoryMiB, healthCheckPath, dockerfileDirectory, ... }');
    return undefined;
  }
  const checked = container as unknown as ContainerSpec;
  if (!isWholeNumber(checked.port, 1, 65535)) {
    report('container.port', `${String(checked.port)} must be a port from 1 to 65535`);
  } else if (COLLECTOR_PORTS.includes(checked.port)) {
    report('container.port', `${checked.port} is taken by the OpenTelemetry collector beside the service (it uses ${COLLECTOR_PORTS.join(', ')}); pick another port`);
  }
  if (typeof checked.healthCheckPath !== 'string' || !checked.healthCheckPath.startsWith('/')) {
    report('container.healthCheckPath', `'${String(checked.healthCheckPath)}' must be a path starting with /`);
  }
  checkImageSource(checked, report);
  checkShutdownBudget(checked, report);
  if (checked.image !== undefined) checkImage(checked.image, report);
  return checked;
}

/** Containers run at least one instance: the floor of `scaling.min` (a common check allows 0, which only Lambda can honour). */
export function checkContainerScaling(scaling: ScalingSpec | undefined, report: Report): void {
  if (typeof scaling?.min === 'number' && scaling.min === 0) report('scaling.min', '0 must be a whole number from 1 to 1000');
}

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
  for (const [field, value, floor] of fields) {
    if (value !== undefined && !isWholeNumber(value, floor, 120)) report(`container.${field}`, `${String(value)} must be a whole number of seconds from ${floor} to 120`);
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
