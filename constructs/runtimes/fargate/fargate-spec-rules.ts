/**
 * What the fargate runtime asks of its specs: a `container` block (the checks every container
 * runtime makes, then a CPU and memory pair Fargate offers), at least one task, and the names
 * derived from the service name within Fargate's and its load balancer's limits.
 */
import { LOAD_BALANCER_NAME, physicalNameProblem } from '../../model/physical-names';
import type { RuntimeRules } from '../../model/runtime-rules';
import type { FargateServiceSpec } from '../../model/service-spec';
import { isWholeNumber } from '../../model/spec-fields';
import { checkContainer, checkContainerScaling } from '../container-spec-checks';

/** Fargate's valid memory sizes (MiB) for each CPU size: [lowest, highest, step]. */
const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

/** The fargate runtime's spec rules. */
export const fargateSpecRules: RuntimeRules<FargateServiceSpec> = {
  name: 'fargate',
  specFields: ['container'],
  checkSpec(spec, report, context) {
    if (context.namePrefix !== undefined) {
      // The load balancer (and its target group) carry `<prefix>-<service>`, the shortest limit of the
      // names made from it (the ECS service and task family allow 255, the log groups and image repository more).
      const problem = physicalNameProblem(`${context.namePrefix}-${spec.name}`, LOAD_BALANCER_NAME);
      if (problem !== undefined) report('name', problem);
    }
    checkContainerScaling(spec.scaling, report);
    const container = checkContainer(spec, report);
    if (container === undefined) return;
    const memory = FARGATE_MEMORY[container.cpu];
    if (memory === undefined) {
      report('container.cpu', `${String(container.cpu)} is not a Fargate CPU size; use one of ${Object.keys(FARGATE_MEMORY).join(', ')}`);
    } else {
      const [low, high, step] = memory;
      if (!isWholeNumber(container.memoryMiB, low, high) || (container.memoryMiB - low) % step !== 0) {
        report('container.memoryMiB', `${String(container.memoryMiB)} does not fit ${container.cpu} CPU units on Fargate: use ${low} to ${high} in steps of ${step}`);
      }
    }
  },
};
