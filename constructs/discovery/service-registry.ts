import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import type { DeployedService } from '../runtimes/service-runtime';

/** Props of a ServiceRegistry. */
export interface ServiceRegistryProps {
  /** The VPC whose containers resolve names in the private DNS namespace. */
  readonly vpc: ec2.IVpc;
  /** Name of the HTTP namespace used for API discovery, e.g. `shop-dev`. */
  readonly httpNamespaceName: string;
  /** Name of the private DNS namespace for containers, e.g. `dev.shop.internal`. */
  readonly dnsNamespaceName: string;
}

/** What a registered service tells its callers. */
export interface RegisterServiceOptions {
  /** The service name callers look up. */
  readonly serviceName: string;
  /** Attributes of the single instance (endpoint, runtime, ARNs); at most 30. */
  readonly attributes: Record<string, string>;
  /**
   * One line shown in Cloud Map.
   * @default - none
   */
  readonly description?: string;
}

/**
 * The service registry (the platform's Eureka): a Cloud Map HTTP namespace for API discovery
 * by name, and a private DNS namespace in the VPC for containers.
 */
export class ServiceRegistry extends Construct {
  /** HTTP namespace: services are found with DiscoverInstances. */
  public readonly httpNamespace: servicediscovery.HttpNamespace;
  /** Private DNS namespace: containers are found by DNS inside the VPC. */
  public readonly dnsNamespace: servicediscovery.PrivateDnsNamespace;

  constructor(scope: Construct, id: string, props: ServiceRegistryProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,1023}$/.test(props.httpNamespaceName)) {
      throw ConstructPropError.of(this, 'httpNamespaceName', `'${props.httpNamespaceName}' must be letters, digits and hyphens`);
    }
    if (!/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.dnsNamespaceName)) {
      throw ConstructPropError.of(this, 'dnsNamespaceName', `'${props.dnsNamespaceName}' must be a DNS name such as dev.shop.internal`);
    }
    this.httpNamespace = new servicediscovery.HttpNamespace(this, 'Http', {
      name: props.httpNamespaceName,
      description: 'API discovery for the platform services',
    });
    this.dnsNamespace = new servicediscovery.PrivateDnsNamespace(this, 'Dns', {
      name: props.dnsNamespaceName,
      vpc: props.vpc,
      description: 'DNS discovery for platform containers',
    });
  }

  /**
   * Registers a service in the HTTP namespace with one instance carrying its attributes.
   * The Cloud Map resources are made in `scope`, so they live with the service that owns them.
   */
  public registerService(scope: Construct, id: string, options: RegisterServiceOptions): servicediscovery.Service {
    const count = Object.keys(options.attributes).length;
    if (count === 0 || count > 30) {
      throw ConstructPropError.of(scope, 'attributes', `has ${count} entries; Cloud Map takes 1 to 30 per instance`);
    }
    const service = new servicediscovery.Service(scope, id, {
      namespace: this.httpNamespace,
      name: options.serviceName,
      description: options.description,
    });
    service.registerNonIpInstance('Instance', { instanceId: `${options.serviceName}-1`, customAttributes: options.attributes });
    return service;
  }

  /**
   * Registers a deployed service of any runtime under its spec's name, with the attributes its runtime
   * gives callers (and its routes); if its spec calls others, lets it find exactly those and points
   * it at the namespace (`DISCOVERY_NAMESPACE`). The Cloud Map resources are made in the service's scope.
   */
  public register(service: DeployedService): servicediscovery.Service {
    const spec = service.spec;
    const registration = this.registerService(service, 'Registration', {
      serviceName: spec.name,
      description: spec.description,
      attributes: {
        ...service.discoveryAttributes,
        ...(spec.routes?.length ? { routes: spec.routes.map((r) => r.route).join(',').slice(0, 1024) } : {}),
      },
    });
    if (spec.calls?.length) {
      this.grantDiscover(service, spec.calls);
      service.addEnvironment(SERVICE_ENVIRONMENT.discoveryNamespace, this.httpNamespace.namespaceName);
    }
    return registration;
  }

  /**
   * Lets the grantee find services in the HTTP namespace (and nothing else in Cloud Map); given
   * `serviceNames`, only those services (the `servicediscovery:ServiceName` condition).
   */
  public grantDiscover(grantee: iam.IGrantable, serviceNames?: readonly string[]): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['servicediscovery:DiscoverInstances', 'servicediscovery:DiscoverInstancesRevision'],
      resourceArns: ['*'],
      conditions: {
        StringEquals: {
          'servicediscovery:NamespaceName': this.httpNamespace.namespaceName,
          ...(serviceNames === undefined ? {} : { 'servicediscovery:ServiceName': [...serviceNames] }),
        },
      },
    });
  }
}
