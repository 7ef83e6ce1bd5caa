/**
 * A stand-in for Cloud Map's `DiscoverInstances` on loopback (JSON 1.1 protocol), answering from
 * registrations held in memory and recording each request, so the real SDK client and
 * `CloudMapRegistry` can be tested without AWS. It can be told to fail the next calls.
 */
import { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { localClientConfig } from './aws-test-settings';
import { startLoopbackServer } from './loopback-server';

interface Registered {
  readonly instanceId: string;
  readonly attributes: Record<string, string>;
  readonly healthy: boolean;
}

export interface CloudMapServer {
  readonly endpoint: string;
  /** Every DiscoverInstances request body received. */
  readonly requests: readonly Record<string, unknown>[];
  register(namespace: string, service: string, instance: Registered): void;
  /** The next `count` calls answer 500. */
  failNext(count: number): void;
  client(): ServiceDiscoveryClient;
  stop(): Promise<void>;
}

export async function startCloudMapServer(): Promise<CloudMapServer> {
  const registry = new Map<string, Registered[]>();
  const requests: Record<string, unknown>[] = [];
  const clients: ServiceDiscoveryClient[] = [];
  let failures = 0;
  const server = await startLoopbackServer((request, received, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-amz-target'] !== 'Route53AutoNaming_v20170314.DiscoverInstances') {
      return reply(400, { __type: 'UnknownOperationException', message: `this fake answers only DiscoverInstances, not ${String(request.headers['x-amz-target'])}` });
    }
    const body = JSON.parse(received.toString('utf8')) as { NamespaceName: string; ServiceName: string; HealthStatus?: string };
    requests.push(body);
    if (failures > 0) {
      failures -= 1;
      return reply(500, { __type: 'InternalFailure', message: 'injected failure' });
    }
    const instances = (registry.get(`${body.NamespaceName}/${body.ServiceName}`) ?? []).filter((instance) => body.HealthStatus !== 'HEALTHY' || instance.healthy);
    reply(200, {
      Instances: instances.map((instance) => ({ InstanceId: instance.instanceId, NamespaceName: body.NamespaceName, ServiceName: body.ServiceName, HealthStatus: instance.healthy ? 'HEALTHY' : 'UNHEALTHY', Attributes: instance.attributes })),
      InstancesRevision: 1,
    });
  });
  const endpoint = server.endpoint;
  return {
    endpoint,
    requests,
    register: (namespace, service, instance) => registry.set(`${namespace}/${service}`, [...(registry.get(`${namespace}/${service}`) ?? []), instance]),
    failNext: (count) => {
      failures = count;
    },
    client() {
      // DiscoverInstances is sent to the `data-` host of the endpoint; a loopback address has no such host.
      const client = new ServiceDiscoveryClient({ ...localClientConfig(endpoint), disableHostPrefix: true, maxAttempts: 1 });
      clients.push(client);
      return client;
    },
    stop: async () => {
      clients.forEach((client) => client.destroy());
      await server.stop();
    },
  };
}
