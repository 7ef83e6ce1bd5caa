import * as path from 'node:path';
import { FRONT_ENDS, type FargateServiceSpec, type KubernetesServiceSpec, type LambdaServiceSpec, type ServiceSpec } from '../../constructs/model/service-spec';

/** A Lambda entry that exports `handler` (the validation pass reads it; bundling is skipped where these catalogs are used). */
const HANDLER_ENTRY = path.resolve(__dirname, '..', 'constructs', 'model', 'fixtures', 'handler.ts');
/** A directory with a Dockerfile: the demo catalog service's. */
const DOCKERFILE_DIRECTORY = path.resolve(__dirname, '..', '..', 'services', 'catalog');

/** Which runtimes a generated catalog mixes, one per service in turn. */
export type RuntimeMix = readonly ServiceSpec['runtime'][];

/** Four Lambda services to each Fargate and each kubernetes one. */
export const MIXED_RUNTIMES: RuntimeMix = ['lambda', 'fargate', 'lambda', 'kubernetes', 'lambda', 'lambda'];

/**
 * Every fifth service has routes. Each routed service needs its read and write scopes, and Cognito
 * holds 100 on the platform's resource server and 48 (beside openid and email) on a front end's
 * client, so a catalog of 200 can route 40 services, each to one of the two front ends in turn.
 */
export const ROUTED_EVERY = 5;

/** Options of generateCatalog. */
export interface GeneratedCatalogOptions {
  /** The runtimes, taken in turn. @default MIXED_RUNTIMES */
  readonly runtimes?: RuntimeMix;
  /** Give every fifth service ({@link ROUTED_EVERY}) two routes (GET and POST under its own path), for the web and mobile front ends in turn. @default true */
  readonly routes?: boolean;
  /** Every service publishes an event; each but the first consumes its predecessor's. @default true */
  readonly events?: boolean;
}

/** `svc-001`, `svc-002`, ...: names that sort in catalog order. */
export const generatedServiceName = (index: number): string => `svc-${String(index + 1).padStart(3, '0')}`;

/**
 * A catalog of `count` services for scale tests and the benchmark: mixed runtimes, each with a table,
 * a config key and an event it publishes, consuming its predecessor's; every fifth service with two
 * routes under `/<name>/items` (a GET with a path parameter, a POST with a body schema); every fifth
 * Lambda service calls the Lambda service before it.
 */
export function generateCatalog(count: number, options: GeneratedCatalogOptions = {}): ServiceSpec[] {
  const runtimes = options.runtimes ?? MIXED_RUNTIMES;
  const withRoutes = options.routes ?? true;
  const withEvents = options.events ?? true;
  const eventOf = (index: number) => `Svc${String(index + 1).padStart(3, '0')}Changed`;
  const specs: ServiceSpec[] = [];
  let previousLambda: string | undefined;
  for (let index = 0; index < count; index++) {
    const name = generatedServiceName(index);
    const runtime = runtimes[index % runtimes.length];
    const common = {
      name,
      description: `Generated service ${index + 1}`,
      config: { pageSize: '20' },
      table: { partitionKey: 'id' },
      ...(withRoutes && index % ROUTED_EVERY === 0
        ? (() => {
            const frontEnds = [FRONT_ENDS[(index / ROUTED_EVERY) % FRONT_ENDS.length]];
            return {
              routes: [
                { route: `GET /${name}/items/{id}`, frontEnds },
                { route: `POST /${name}/items`, frontEnds, requestBodySchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
              ],
            };
          })()
        : {}),
      ...(withEvents ? { events: { publishes: [eventOf(index)], ...(index > 0 ? { consumes: [eventOf(index - 1)] } : {}) } } : {}),
    };
    if (runtime === 'lambda') {
      const calls = index % 5 === 0 && previousLambda !== undefined ? { calls: [previousLambda] } : {};
      specs.push({ ...common, ...calls, runtime, scaling: { min: 0, max: 5 }, lambda: { entry: HANDLER_ENTRY, memoryMiB: 256, timeoutSeconds: 10 } } satisfies LambdaServiceSpec);
      previousLambda = name;
    } else if (runtime === 'fargate') {
      specs.push({ ...common, runtime, scaling: { min: 1, max: 2 }, container: { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', dockerfileDirectory: DOCKERFILE_DIRECTORY } } satisfies FargateServiceSpec);
    } else {
      specs.push({ ...common, runtime: 'kubernetes', scaling: { min: 1, max: 2 }, container: { port: 8080, cpu: 250, memoryMiB: 256, healthCheckPath: '/health', dockerfileDirectory: DOCKERFILE_DIRECTORY } } satisfies KubernetesServiceSpec);
    }
  }
  return specs;
}
