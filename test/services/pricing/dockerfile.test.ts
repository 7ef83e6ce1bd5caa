/**
 * The pricing image's Dockerfile, read as Docker reads it (no Docker here): the shared container
 * checks, with a numeric user and group equal to the ones its chart runs the pod as, since
 * `runAsNonRoot` can only verify a numeric USER.
 */
import { App } from 'cdk8s';
import { MicroserviceChart } from '../../../constructs/kubernetes/microservice-chart';
import { pricing } from '../../../services/pricing/service';
import { describeContainerDockerfile } from '../../support/container-dockerfile';

type Json = Record<string, any>;

function podSecurityOfChart(): { runAsUser: number; runAsGroup: number } {
  const objects = new MicroserviceChart(new App(), 'pricing', { spec: pricing, image: 'pricing:test', namespace: 'shop', platformName: 'shop' }).toJson() as Json[];
  const pod = objects.find((o) => o.kind === 'Deployment')!.spec.template.spec;
  const container = pod.containers.find((c: Json) => c.name === 'main') ?? pod.containers[0];
  return {
    runAsUser: container.securityContext?.runAsUser ?? pod.securityContext?.runAsUser,
    runAsGroup: container.securityContext?.runAsGroup ?? pod.securityContext?.runAsGroup,
  };
}

const { runAsUser, runAsGroup } = podSecurityOfChart();

test('the chart runs the pod as a numeric non-root user and group', () => {
  expect(runAsUser).toBeGreaterThan(0);
  expect(runAsGroup).toBeGreaterThan(0);
});

describeContainerDockerfile(pricing, { entry: 'services/pricing/server.ts', user: `${runAsUser}:${runAsGroup}` });
