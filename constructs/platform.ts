import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LambdaMicroservice } from './compute/lambda-microservice';
import { ConfigStore } from './config/config-store';
import { ServiceRegistry } from './discovery/service-registry';
import { EdgeGateway } from './gateway/edge-gateway';
import { EventBackbone } from './messaging/event-backbone';
import { PlatformIdentity, PlatformIdentityProps } from './identity/platform-identity';
import { ConstructPropError } from './model/errors';
import type { ServiceSpec } from './model/service-spec';
import { validateCatalog } from './model/validate-catalog';
import type { SagaSpec } from './model/saga-spec';
import { validateSagas } from './model/validate-patterns';
import { PlatformNetwork } from './network/platform-network';
import { PlatformTracing } from './observability/platform-tracing';
import { DEV_PROFILE, PlatformProfile } from './profile';
import { Saga } from './workflow/saga';

/**
 * Where each layer of the platform is made. Give a stack per lifecycle to split the platform;
 * leave a layer out to make it inside the MicroservicePlatform itself (which must then sit in a stack).
 */
export interface PlatformPlacement {
  /** The VPC. */
  readonly network?: Construct;
  /** Registry, config store, identity and tracing: shared by every service. */
  readonly shared?: Construct;
  /** The services. */
  readonly services?: Construct;
  /** The edge gateway. */
  readonly edge?: Construct;
}

/** Props of a MicroservicePlatform. */
export interface MicroservicePlatformProps {
  /** Lowercase platform name, e.g. `shop`; the first level of names, paths and scopes. */
  readonly platformName: string;
  /** The service catalog; validated as a whole before anything is made. */
  readonly services: readonly ServiceSpec[];
  /**
   * Cost and availability settings.
   * @default DEV_PROFILE
   */
  readonly profile?: PlatformProfile;
  /**
   * Where each layer is made.
   * @default - every layer inside this construct
   */
  readonly placement?: PlatformPlacement;
  /**
   * Callback URLs of the front ends' sign-in.
   * @default - localhost for web, a custom scheme for mobile
   */
  readonly callbackUrls?: PlatformIdentityProps['callbackUrls'];
  /**
   * Sagas across the catalog's services, each started by a domain event; validated against the catalog.
   * @default - none
   */
  readonly sagas?: readonly SagaSpec[];
  /**
   * Set the account-wide API Gateway logging role (one stack per account and region should).
   * @default true
   */
  readonly configureAccountLogging?: boolean;
}

/**
 * The whole platform from a service catalog: network, registry, config store, identity,
 * tracing, one construct per service, and the edge gateway that routes to them.
 *
 * Specs whose runtime this version cannot place yet (fargate, kubernetes) are rejected with a
 * clear error instead of being silently skipped.
 */
export class MicroservicePlatform extends Construct {
  /** The network. */
  public readonly network: PlatformNetwork;
  /** The service registry. */
  public readonly registry: ServiceRegistry;
  /** The config store. */
  public readonly config: ConfigStore;
  /** Identity. */
  public readonly identity: PlatformIdentity;
  /** X-Ray rules and group. */
  public readonly tracing: PlatformTracing;
  /** Lambda services by name. */
  public readonly lambdaServices: ReadonlyMap<string, LambdaMicroservice>;
  /** The edge gateway, when any service has routes. */
  public readonly gateway?: EdgeGateway;
  /** The validated catalog. */
  public readonly services: readonly ServiceSpec[];
  /** The event bus, its archive and the messaging alarm topic, when any service publishes or consumes events. */
  public readonly events?: EventBackbone;
  /** Sagas by name. */
  public readonly sagas: ReadonlyMap<string, Saga>;

  constructor(scope: Construct, id: string, props: MicroservicePlatformProps) {
    super(scope, id);
    const profile = props.profile ?? DEV_PROFILE;
    const platformName = props.platformName;
    if (!/^[a-z][a-z0-9-]{0,15}$/.test(platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${platformName}' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter`);
    }
    this.services = validateCatalog(props.services);
    const sagaSpecs = validateSagas(props.sagas ?? [], this.services);
    for (const spec of this.services) {
      if (spec.runtime !== 'lambda') {
        throw ConstructPropError.of(this, 'services', `includes '${spec.name}' with runtime '${spec.runtime}', which this platform cannot place yet; only 'lambda' services are supported`);
      }
    }

    const placement = props.placement ?? {};
    const where = (layer: keyof PlatformPlacement): Construct => {
      const target = placement[layer];
      if (target) return target;
      try {
        Stack.of(this);
      } catch {
        throw ConstructPropError.of(this, `placement.${layer}`, 'is missing and the platform is not inside a stack; give a stack for every layer, or create the platform inside a stack');
      }
      return this;
    };
    const environmentName = profile.name;
    const prefix = `${platformName}-${environmentName}`;
    const retainData = profile.retainData;

    this.network = new PlatformNetwork(where('network'), 'Network', {
      maxAzs: profile.maxAzs,
      natGateways: profile.natGateways,
      flowLogRetention: profile.logRetention,
      retainData,
    });

    const shared = where('shared');
    this.registry = new ServiceRegistry(shared, 'Registry', {
      vpc: this.network.vpc,
      httpNamespaceName: prefix,
      dnsNamespaceName: `${environmentName}.${platformName}.internal`,
    });
    this.config = new ConfigStore(shared, 'Config', { platformName, environmentName, services: this.services });
    this.identity = new PlatformIdentity(shared, 'Identity', {
      platformName,
      environmentName,
      services: this.services,
      callbackUrls: props.callbackUrls,
      threatProtection: profile.identityThreatProtection,
      retain: retainData,
    });
    this.tracing = new PlatformTracing(shared, 'Tracing', { servicePrefix: prefix, fixedRate: profile.traceSampleRate });
    if (sagaSpecs.length > 0 || this.services.some((spec) => spec.events?.publishes?.length || spec.events?.consumes?.length)) {
      this.events = new EventBackbone(shared, 'Events', { busName: `${prefix}-events`, retainData });
    }

    const servicesScope = where('services');
    const lambdaServices = new Map<string, LambdaMicroservice>();
    for (const spec of this.services) {
      lambdaServices.set(
        spec.name,
        new LambdaMicroservice(servicesScope, spec.name, {
          spec,
          platformName,
          environmentName,
          vpc: this.network.vpc,
          vpcSubnets: this.network.serviceSubnets,
          registry: this.registry,
          config: this.config,
          retainData,
          logRetention: profile.logRetention,
          eventBackbone: this.events,
        }),
      );
    }
    this.lambdaServices = lambdaServices;

    const sagas = new Map<string, Saga>();
    for (const saga of sagaSpecs) {
      const action = (spec: SagaSpec['complete']) => ({ function: lambdaServices.get(spec.service)!.function, action: spec.action });
      sagas.set(
        saga.name,
        new Saga(servicesScope, `saga-${saga.name}`, {
          stateMachineName: `${prefix}-${saga.name}`,
          trigger: { bus: this.events!.bus, eventType: saga.startOn },
          steps: saga.steps.map((step) => ({ name: step.name, invoke: action(step.invoke), compensate: action(step.compensate) })),
          complete: action(saga.complete),
          reject: action(saga.reject),
          alarmTopic: this.events!.alarmTopic,
          logRetention: profile.logRetention,
          retainData,
        }),
      );
    }
    this.sagas = sagas;

    const routed = [...lambdaServices.values()].filter((service) => (service.spec.routes ?? []).length > 0);
    if (routed.length > 0) {
      this.gateway = new EdgeGateway(where('edge'), 'Gateway', {
        apiName: `${prefix}-edge`,
        stageName: environmentName,
        identity: this.identity,
        backends: routed.map((service) => ({ spec: service.spec, handler: service.function })),
        throttleRateLimit: profile.throttleRateLimit,
        throttleBurstLimit: profile.throttleBurstLimit,
        logRetention: profile.logRetention,
        retainData,
        configureAccountLogging: props.configureAccountLogging,
      });
    }
  }
}
