/**
 * What the kubernetes runtime asks of its specs: a `container` block (the checks every container
 * runtime makes, then CPU in milli-CPUs and memory in MiB), at least one pod, and callers that can
 * reach it: from outside the cluster a kubernetes service is reached only through the load
 * balancer in front of its routes, so a service without routes takes calls from the cluster only.
 */
import type { RuntimeRules } from '../../model/runtime-rules';
import type { KubernetesServiceSpec } from '../../model/service-spec';
import { isWholeNumber } from '../../model/spec-fields';
import { checkContainer, checkContainerScaling } from '../container-spec-checks';

/** The kubernetes runtime's spec rules. */
export const kubernetesSpecRules: RuntimeRules<KubernetesServiceSpec> = {
  name: 'kubernetes',
  specFields: ['container'],
  // The names made from a kubernetes service's name (pod role, telemetry name, metrics log group)
  // have no limit the service name and the prefix's own limits could break.
  checkSpec(spec, report) {
    checkContainerScaling(spec.scaling, report);
    const container = checkContainer(spec, report);
    if (container === undefined) return;
    if (!isWholeNumber(container.cpu, 10, 64000)) report('container.cpu', `${String(container.cpu)} must be whole milli-CPUs from 10 to 64000`);
    if (!isWholeNumber(container.memoryMiB, 16, 262144)) report('container.memoryMiB', `${String(container.memoryMiB)} must be whole MiB from 16 to 262144`);
  },
  refuseCallFrom(caller, callee) {
    if (caller.runtime === 'kubernetes') return undefined;
    if (Array.isArray(callee.routes) && callee.routes.length > 0) return undefined;
    return 'from outside its cluster a kubernetes service is reached only through the load balancer in front of its routes, and it has no routes';
  },
};
