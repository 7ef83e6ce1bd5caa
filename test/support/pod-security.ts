// Checks a pod spec against the Kubernetes "restricted" Pod Security Standard and the platform's
// hygiene rules, as plain assertions on the manifest. Returns what is wrong; an empty list passes.

type Json = Record<string, any>;

const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

/** The restricted Pod Security Standard (current version), for one pod spec. */
export function restrictedViolations(pod: Json): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  for (const flag of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[flag] === true) problems.push(`pod: ${flag} is true`);
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUME_TYPES.includes(type)) problems.push(`volume ${volume.name}: type ${type} is not allowed`);
  }
  const podSeccomp = podContext.seccompProfile?.type;
  for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `container ${container.name}`;
    const context = container.securityContext ?? {};
    if (context.privileged === true) problems.push(`${where}: privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
    const drop: string[] = context.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
    const added: string[] = context.capabilities?.add ?? [];
    if (added.some((c) => c !== 'NET_BIND_SERVICE')) problems.push(`${where}: adds capabilities ${added.join(', ')}`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${where}: runs as UID 0`);
    const seccomp = context.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${where}: seccomp profile is ${seccomp ?? 'unset'}`);
    for (const port of container.ports ?? []) if (port.hostPort) problems.push(`${where}: uses hostPort ${port.hostPort}`);
  }
  return problems;
}

/** The platform's hygiene rules beyond the standard, for one pod spec. */
export function hygieneViolations(pod: Json): string[] {
  const problems: string[] = [];
  if (pod.automountServiceAccountToken !== false) problems.push('pod: mounts a service account token');
  if (!pod.serviceAccountName || pod.serviceAccountName === 'default') problems.push('pod: runs as the default service account');
  const zones = (pod.topologySpreadConstraints ?? []).filter((c: Json) => c.topologyKey === 'topology.kubernetes.io/zone');
  if (zones.length === 0) problems.push('pod: does not spread across zones');
  // Native sidecars (init containers that keep running) are held to the same rules, but serve no traffic, so need no readiness.
  const sidecars = (pod.initContainers ?? []).filter((c: Json) => c.restartPolicy === 'Always');
  for (const container of [...(pod.containers ?? []), ...sidecars]) {
    const sidecar = sidecars.includes(container);
    const where = `${sidecar ? 'sidecar' : 'container'} ${container.name}`;
    if (container.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
    if (!container.resources?.requests?.cpu) problems.push(`${where}: no CPU request`);
    if (!container.resources?.requests?.memory) problems.push(`${where}: no memory request`);
    if (!container.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    if (!container.readinessProbe && !sidecar) problems.push(`${where}: no readiness probe`);
    if (!container.livenessProbe) problems.push(`${where}: no liveness probe`);
    if (container.readinessProbe && JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe)) problems.push(`${where}: readiness and liveness probes are the same`);
    const image: string = container.image ?? '';
    const pinned = image.includes('@sha256:') || /:[^/:@]+$/.test(image);
    if (!pinned || /:latest$/.test(image)) problems.push(`${where}: image '${image}' is not pinned`);
  }
  return problems;
}
