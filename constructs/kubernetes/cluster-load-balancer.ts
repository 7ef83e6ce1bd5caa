import { Lazy, Tags, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { containerTargetGroupProps } from '../containers/container-target-group';
import { type HttpMethod, type KubernetesServiceSpec, parseRoute } from '../model/service-spec';
import { AccessLogBucket } from '../observability/access-log-bucket';
import { type LoadBalancerSeat, importSeatedLoadBalancer, internalLoadBalancer, jsonNotFoundListener } from '../containers/shared-load-balancer';

/** Props of a ClusterLoadBalancer. */
export interface ClusterLoadBalancerProps {
  /** The cluster's VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the load balancer.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Name of the EKS cluster whose load balancing registers the pods. Each target group carries it
   * in the tag `eks:eks-cluster-name`: EKS Auto Mode may register targets only in target groups
   * tagged with its cluster's name (AmazonEKSLoadBalancingPolicy).
   */
  readonly clusterName: string;
  /**
   * The security group of the pods' network interfaces (on EKS Auto Mode nodes, the cluster
   * security group): it admits the load balancer on each service's container port, and nothing more.
   */
  readonly podSecurityGroup: ec2.ISecurityGroup;
  /**
   * Name of the load balancer, e.g. `shop-dev-eks`.
   * @default - a name CloudFormation makes
   */
  readonly loadBalancerName?: string;
  /**
   * Where the load balancer writes its access logs.
   * @default - a new AccessLogBucket beside it
   */
  readonly accessLogs?: AccessLogBucket;
  /**
   * Protect the load balancer from deletion.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * A seat on an internal load balancer shared with other services (`SharedLoadBalancer.seat`): the
   * listener, rules, target groups and security group rules are then made here, on the seat's port,
   * and no load balancer of its own (`loadBalancerName`, `accessLogs` and `deletionProtection` are
   * the shared one's business).
   * @default - a load balancer of its own, listening on port 80
   */
  readonly seat?: LoadBalancerSeat;
}

/** A route's path as an ALB path pattern: each `{param}` segment becomes `*`. */
export function pathPatternOf(path: string): string {
  return path.replace(/\{[^/}]+\}/g, '*');
}

interface RouteRule {
  readonly service: string;
  readonly pattern: string;
  readonly methods: readonly HttpMethod[];
}

const LISTENER_PORT = 80;
/** A rule takes five condition values; the path pattern is one, so four methods at most go with it. */
const METHODS_PER_RULE = 4;

/**
 * One internal Application Load Balancer in front of the routed services of a cluster, whose
 * resources the template names (so the edge gateway can reach it through its VPC link): an HTTP
 * listener that answers a JSON 404 to anything no route matches, and per service a target group
 * of pod IPs on its container port (health-checked on its health path, drained as its spec says)
 * with one listener rule per route path and its methods. The pods are registered by the cluster
 * (a TargetGroupBinding in the service's chart), not by this construct.
 *
 * Rules are ordered most specific first (fewest wildcards, then the longest literal text), so a
 * literal path of one service wins over another's parameter at the same place. The listener
 * admits no one until `allowFrom`; the pods' security group admits the load balancer on each
 * service's container port only.
 */
export class ClusterLoadBalancer extends Construct {
  /** The internal load balancer: its own, or the shared one it has a seat on. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Its HTTP listener. */
  public readonly listener: elbv2.ApplicationListener;
  /** The listener's port. */
  public readonly port: number;
  /** Its base URL, `http://<DNS name>`; a route's path is appended. */
  public readonly url: string;
  /** The target group of each service, by service name. */
  public readonly targetGroups: ReadonlyMap<string, elbv2.ApplicationTargetGroup> = new Map();
  private readonly rules: RouteRule[] = [];
  private readonly props: ClusterLoadBalancerProps;

  constructor(scope: Construct, id: string, props: ClusterLoadBalancerProps) {
    super(scope, id);
    this.props = props;
    const seat = props.seat;
    let own: elbv2.ApplicationLoadBalancer | undefined;
    if (seat) {
      // Imported in this scope, so the listener, rules and security group rules are made here.
      this.loadBalancer = importSeatedLoadBalancer(this, seat, props.vpc);
    } else {
      const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: `${props.loadBalancerName ?? props.clusterName} internal load balancer of the kubernetes services: inbound from the gateway VPC link and declared callers only`,
        allowAllOutbound: false,
      });
      own = internalLoadBalancer(this, 'LoadBalancer', { loadBalancerName: props.loadBalancerName, vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroup, deletionProtection: props.deletionProtection });
      (props.accessLogs ?? new AccessLogBucket(this, 'AccessLogs')).logLoadBalancer(own, `eks/${props.clusterName}`);
      this.loadBalancer = own;
    }
    this.port = seat?.port ?? LISTENER_PORT;
    this.listener = jsonNotFoundListener(own ?? this, own ? 'Http' : 'Listener', this.loadBalancer, this.port);
    this.url = `http://${this.loadBalancer.loadBalancerDnsName}${seat ? `:${seat.port}` : ''}`;

    Validations.of(this.listener).acknowledge({
      id: 'cdk-validator-cfnguard::alb_http_to_https_redirection_check',
      reason:
        'The load balancer is internal: no internet route reaches it, and its security group admits only the gateway VPC link and the services that call these. ' +
        'TLS would need a certificate for a DNS name the deployer owns, which an account-agnostic blueprint cannot issue; traffic stays inside the VPC.',
    });
    if (own && !(props.deletionProtection ?? false)) {
      Validations.of(own).acknowledge({
        id: 'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
        reason: 'Environments that keep no data (dev) are torn down and rebuilt at will; deletion protection is on wherever data is retained (prod).',
      });
    }
  }

  /**
   * Routes the service's routes to a target group of its own (IP targets on the container port),
   * and lets the load balancer reach the pods on that port. Returns the target group, which the
   * service's pods are bound to. The target group and rules are made under `scope` (default: this
   * construct), for example in the service's own stack.
   */
  public addService(spec: KubernetesServiceSpec, scope: Construct = this): elbv2.ApplicationTargetGroup {
    const container = spec.container;
    if (container === undefined) throw ConstructPropError.of(this, 'spec', `of '${spec.name}' has no container settings; only container services sit behind the cluster's load balancer`);
    if (this.targetGroups.has(spec.name)) throw ConstructPropError.of(this, 'spec', `'${spec.name}' is already behind the load balancer`);
    const methodsByPattern = new Map<string, HttpMethod[]>();
    for (const route of spec.routes ?? []) {
      const parsed = parseRoute(route.route);
      if (typeof parsed === 'string') throw ConstructPropError.of(this, `spec.routes`, `of '${spec.name}': ${parsed}`);
      const pattern = pathPatternOf(parsed.path);
      methodsByPattern.set(pattern, [...(methodsByPattern.get(pattern) ?? []), parsed.method]);
    }
    if (methodsByPattern.size === 0) throw ConstructPropError.of(this, 'spec.routes', `of '${spec.name}' are empty; a service without routes needs no load balancer`);

    const routes = scope === this ? new Construct(this, spec.name) : new Construct(scope, 'LoadBalancerRoutes');
    const targetGroup = new elbv2.ApplicationTargetGroup(routes, 'Pods', containerTargetGroupProps(this.props.vpc, container));
    Tags.of(targetGroup).add('eks:eks-cluster-name', this.props.clusterName);
    (this.targetGroups as Map<string, elbv2.ApplicationTargetGroup>).set(spec.name, targetGroup);

    let index = 0;
    for (const [pattern, methods] of methodsByPattern) {
      for (let start = 0; start < methods.length; start += METHODS_PER_RULE) {
        const rule: RouteRule = { service: spec.name, pattern, methods: methods.slice(start, start + METHODS_PER_RULE) };
        this.rules.push(rule);
        new elbv2.ApplicationListenerRule(routes, `Route${index++}`, {
          listener: this.listener,
          // Known only once every service is added: the rank of this rule among all of them.
          priority: Lazy.number({ produce: () => this.priorityOf(rule) }),
          conditions: [elbv2.ListenerCondition.pathPatterns([rule.pattern]), elbv2.ListenerCondition.httpRequestMethods([...rule.methods])],
          action: elbv2.ListenerAction.forward([targetGroup]),
        });
      }
    }
    this.loadBalancer.connections.allowTo(this.props.podSecurityGroup, ec2.Port.tcp(container.port), `the kubernetes services' load balancer to the pods of ${spec.name}`);
    return targetGroup;
  }

  /** Lets a peer (the gateway's VPC link, a calling service) reach the listener. */
  public allowFrom(peer: ec2.IConnectable, description: string): void {
    this.loadBalancer.connections.allowFrom(peer, ec2.Port.tcp(this.port), description);
  }

  /** 1 for the most specific rule: fewest wildcards, then the longest literal text, then by pattern, service and methods. */
  private priorityOf(rule: RouteRule): number {
    const wildcards = (pattern: string) => pattern.split('*').length - 1;
    const literal = (pattern: string) => pattern.replace(/\*/g, '').length;
    const key = (r: RouteRule) => `${r.pattern} ${r.service} ${r.methods.join(',')}`;
    const ranked = [...this.rules].sort((a, b) => wildcards(a.pattern) - wildcards(b.pattern) || literal(b.pattern) - literal(a.pattern) || key(a).localeCompare(key(b)));
    return ranked.indexOf(rule) + 1;
  }
}
