/**
 * Finding another service by name: its endpoint comes from the service registry (Cloud Map
 * `DiscoverInstances` in the platform's HTTP namespace, healthy instances only), is cached for a
 * TTL, and a failed lookup is retried with jittered backoff before it fails with an error that
 * names the service. No address is written in code or in the environment: the environment holds
 * only the namespace name, a pointer to the registry.
 *
 * The registry is an interface, so tests can run the same discovery over a local registry.
 */
import { DiscoverInstancesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';

/** One registered instance of a service and its attributes. */
export interface ServiceInstance {
  readonly instanceId: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A registry that lists a service's healthy instances. */
export interface ServiceRegistryClient {
  /** Healthy instances of `serviceName` (none when it has none). */
  healthyInstances(serviceName: string): Promise<readonly ServiceInstance[]>;
}

/**
 * Where a service answers: a Lambda function invoked by ARN, or a base URL called over HTTP (a
 * Fargate service's internal load balancer; for a kubernetes service, the cluster's load balancer
 * in front of its routes, or from a pod of its cluster, its Service's cluster DNS name).
 */
export type ServiceEndpoint =
  | { readonly runtime: 'lambda'; readonly functionName: string; readonly functionArn: string }
  | { readonly runtime: 'fargate' | 'kubernetes'; readonly url: string };

/** An endpoint called over HTTP. */
export type HttpServiceEndpoint = Exclude<ServiceEndpoint, { runtime: 'lambda' }>;

/**
 * The endpoint an instance's attributes describe, as the platform's constructs register them. A
 * kubernetes service with routes registers its load balancer as `url` and its Service as
 * `clusterUrl`; a caller inside the cluster (`insideCluster`) calls the Service.
 */
export function endpointOf(serviceName: string, instance: ServiceInstance, options: { readonly insideCluster?: boolean } = {}): ServiceEndpoint {
  const { runtime, functionName, functionArn, url, clusterUrl } = instance.attributes;
  const isHttp = (value: string | undefined): value is string => value !== undefined && /^https?:\/\//.test(value);
  if (runtime === 'lambda' && functionName && functionArn) return { runtime, functionName, functionArn };
  if (runtime === 'kubernetes' && options.insideCluster && isHttp(clusterUrl)) return { runtime, url: clusterUrl.replace(/\/+$/, '') };
  if ((runtime === 'fargate' || runtime === 'kubernetes') && isHttp(url)) return { runtime, url: url.replace(/\/+$/, '') };
  throw new DiscoveryError(
    serviceName,
    `instance ${instance.instanceId} has runtime '${String(runtime)}' without the attributes it needs (lambda: functionName and functionArn; fargate or kubernetes: an http(s) url)`,
  );
}

/** A service could not be found; the message names it and says why. */
export class DiscoveryError extends Error {
  constructor(
    public readonly serviceName: string,
    reason: string,
  ) {
    super(`cannot discover service '${serviceName}': ${reason}`);
    this.name = 'DiscoveryError';
  }
}

/** Cloud Map's HTTP namespace as a {@link ServiceRegistryClient}. */
export class CloudMapRegistry implements ServiceRegistryClient {
  readonly #namespaceName: string;
  readonly #client: ServiceDiscoveryClient;

  constructor(props: { readonly namespaceName: string; readonly client?: ServiceDiscoveryClient }) {
    this.#namespaceName = props.namespaceName;
    this.#client = props.client ?? new ServiceDiscoveryClient({});
  }

  async healthyInstances(serviceName: string): Promise<readonly ServiceInstance[]> {
    const answer = await this.#client.send(
      new DiscoverInstancesCommand({ NamespaceName: this.#namespaceName, ServiceName: serviceName, HealthStatus: 'HEALTHY', MaxResults: 10 }),
    );
    return (answer.Instances ?? []).map((instance) => ({ instanceId: instance.InstanceId ?? '(unnamed)', attributes: instance.Attributes ?? {} }));
  }
}

/** Properties of a {@link ServiceDiscovery}. */
export interface ServiceDiscoveryProps {
  readonly registry: ServiceRegistryClient;
  /**
   * Seconds an endpoint found is reused before the registry is asked again.
   * @default 30
   */
  readonly ttlSeconds?: number;
  /**
   * Lookups retried after a failed one (a registry error or no healthy instance).
   * @default 2
   */
  readonly retries?: number;
  /**
   * Milliseconds of the first backoff; each next one doubles, and each wait is drawn at random up to it (full jitter).
   * @default 100
   */
  readonly backoffMs?: number;
  /**
   * The caller runs in a pod of the platform's Kubernetes cluster, so it calls kubernetes services at
   * their Service (`clusterUrl`) rather than through the cluster's load balancer.
   * @default - whether `KUBERNETES_SERVICE_HOST` is set, which Kubernetes sets in every pod
   */
  readonly insideCluster?: boolean;
  /** The clock, in milliseconds; for tests. @default Date.now */
  readonly now?: () => number;
  /** A number in [0, 1); for tests. @default Math.random */
  readonly random?: () => number;
}

interface CachedEndpoint {
  readonly endpoint: ServiceEndpoint;
  readonly expiresAt: number;
}

/** Resolves service names to endpoints; make one per container so its cache lives across invocations. */
export class ServiceDiscovery {
  readonly #props: Required<Omit<ServiceDiscoveryProps, 'registry'>> & { registry: ServiceRegistryClient };
  readonly #cache = new Map<string, CachedEndpoint>();
  readonly #pending = new Map<string, Promise<ServiceEndpoint>>();

  constructor(props: ServiceDiscoveryProps) {
    this.#props = {
      registry: props.registry,
      ttlSeconds: props.ttlSeconds ?? 30,
      retries: props.retries ?? 2,
      backoffMs: props.backoffMs ?? 100,
      insideCluster: props.insideCluster ?? process.env.KUBERNETES_SERVICE_HOST !== undefined,
      now: props.now ?? Date.now,
      random: props.random ?? Math.random,
    };
  }

  /**
   * The endpoint of `serviceName`: from the cache while it is younger than the TTL, otherwise from
   * the registry (concurrent callers share one lookup).
   *
   * @throws DiscoveryError naming the service, the attempts made and the last reason
   */
  async resolve(serviceName: string): Promise<ServiceEndpoint> {
    const cached = this.#cache.get(serviceName);
    if (cached !== undefined && cached.expiresAt > this.#props.now()) return cached.endpoint;
    let pending = this.#pending.get(serviceName);
    if (pending === undefined) {
      pending = this.#lookUp(serviceName).finally(() => this.#pending.delete(serviceName));
      this.#pending.set(serviceName, pending);
    }
    return pending;
  }

  /** Forgets a cached endpoint, e.g. after calls to it failed at the connection. */
  forget(serviceName: string): void {
    this.#cache.delete(serviceName);
  }

  async #lookUp(serviceName: string): Promise<ServiceEndpoint> {
    const attempts = this.#props.retries + 1;
    let reason = '';
    for (let attempt = 0; attempt < attempts; attempt += 1) {
      if (attempt > 0) await sleep(this.#props.random() * this.#props.backoffMs * 2 ** (attempt - 1));
      try {
        const instances = await this.#props.registry.healthyInstances(serviceName);
        if (instances.length === 0) {
          reason = 'the registry lists no healthy instance';
          continue;
        }
        const endpoint = endpointOf(serviceName, instances[Math.floor(this.#props.random() * instances.length)], { insideCluster: this.#props.insideCluster });
        this.#cache.set(serviceName, { endpoint, expiresAt: this.#props.now() + this.#props.ttlSeconds * 1000 });
        return endpoint;
      } catch (error) {
        if (error instanceof DiscoveryError) throw error;
        reason = `the registry failed: ${(error as Error).message}`;
      }
    }
    throw new DiscoveryError(serviceName, `${reason} (${attempts} attempt${attempts === 1 ? '' : 's'})`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
