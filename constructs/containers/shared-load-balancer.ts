import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import type { AccessLogBucket } from '../observability/access-log-bucket';

/**
 * A seat on a shared internal load balancer: which load balancer, and the listener port that is the
 * service's alone. A service imports the load balancer in its own scope by these attributes, so the
 * listener, rules, target groups and security group rules it adds are made beside it (in its own
 * stack), never in the load balancer's.
 */
export interface LoadBalancerSeat {
  /** The load balancer's ARN. */
  readonly loadBalancerArn: string;
  /** Its DNS name. */
  readonly loadBalancerDnsName: string;
  /** `app/<name>/<id>`, the `LoadBalancer` dimension of its metrics. */
  readonly loadBalancerFullName: string;
  /** Its security group: it admits each service's callers on that service's port only. */
  readonly securityGroupId: string;
  /** The service's listener port. */
  readonly port: number;
}

/** What the planner needs to know of one service that takes a seat. */
export interface SeatDemand {
  /** The service's name. */
  readonly name: string;
  /** Security group rules it adds to the load balancer's group: one per peer that may call it (the edge's VPC link counts as one). */
  readonly inboundRules: number;
}

/** Limits of one shared load balancer the planner keeps within. */
export interface SeatLimits {
  /**
   * Listeners (services) per load balancer. An ALB takes 50 listeners and 100 rules; each service
   * has one listener and one rule.
   * @default 25
   */
  readonly servicesPerLoadBalancer?: number;
  /**
   * Inbound rules of the load balancer's security group. A security group takes 60 inbound rules
   * unless the account's quota is raised.
   * @default 55
   */
  readonly inboundRulesPerLoadBalancer?: number;
}

/** Where a service sits: the index of its load balancer and its port there. */
export interface PlannedSeat {
  readonly loadBalancer: number;
  readonly port: number;
}

/** Listener ports are drawn from here: above the well-known and common development ports. */
const FIRST_PORT = 10000;
const PORT_SPAN = 50000;

/** A stable port for a name (FNV-1a over its characters), so a service keeps its port as others come and go. */
function preferredPort(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return FIRST_PORT + (hash % PORT_SPAN);
}

/**
 * Seats services on as few shared load balancers as the limits allow: in name order, each on the
 * current load balancer until its listeners or its security group's inbound rules would run out,
 * then on the next. Each service's port comes from its name (the next free one if another service on
 * the same load balancer has it), so adding a service moves no other service's port unless their
 * names collide, and moves services to another load balancer only where one fills up. A planner
 * keeps its state between calls: each runtime of a platform asks once, for all its services.
 */
export class SeatPlanner {
  private readonly perBalancer: number;
  private readonly rulesPerBalancer: number;
  private balancer = 0;
  private seated = 0;
  private rules = 0;
  private ports = new Set<number>();

  constructor(limits: SeatLimits = {}) {
    this.perBalancer = limits.servicesPerLoadBalancer ?? 25;
    this.rulesPerBalancer = limits.inboundRulesPerLoadBalancer ?? 55;
    if (!Number.isInteger(this.perBalancer) || this.perBalancer < 1 || this.perBalancer > 50) {
      throw new Error(`servicesPerLoadBalancer is ${this.perBalancer}; expected a whole number from 1 to 50 (an ALB takes 50 listeners)`);
    }
  }

  /** Seats these services (names unique among them) after those seated before. */
  public place(services: readonly SeatDemand[]): Map<string, PlannedSeat> {
    const seats = new Map<string, PlannedSeat>();
    for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) {
      if (seats.has(service.name)) throw new Error(`service '${service.name}' is listed twice`);
      if (service.inboundRules > this.rulesPerBalancer) {
        throw new Error(`service '${service.name}' needs ${service.inboundRules} inbound rules on its load balancer's security group, more than the ${this.rulesPerBalancer} one load balancer allows`);
      }
      if (this.seated === this.perBalancer || this.rules + service.inboundRules > this.rulesPerBalancer) {
        this.balancer++;
        this.seated = 0;
        this.rules = 0;
        this.ports = new Set();
      }
      let port = preferredPort(service.name);
      while (this.ports.has(port)) port = port + 1 >= FIRST_PORT + PORT_SPAN ? FIRST_PORT : port + 1;
      this.ports.add(port);
      this.seated++;
      this.rules += service.inboundRules;
      seats.set(service.name, { loadBalancer: this.balancer, port });
    }
    return seats;
  }
}

/** Seats services on fresh load balancers (see {@link SeatPlanner}). */
export function planSeats(services: readonly SeatDemand[], limits: SeatLimits = {}): Map<string, PlannedSeat> {
  return new SeatPlanner(limits).place(services);
}

/** Props of a SharedLoadBalancer. */
export interface SharedLoadBalancerProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the load balancer.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Where it writes its access logs. */
  readonly accessLogs: AccessLogBucket;
  /** Prefix of its access logs in the bucket. */
  readonly accessLogPrefix: string;
  /** What it serves, for its security group's description. */
  readonly purpose: string;
  /**
   * Protect it from deletion.
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * One internal Application Load Balancer that several services share, each on a listener (a port)
 * of its own: its security group admits nothing until a service admits its callers on its port,
 * and allows no egress until a service's targets are attached. It costs one load balancer-hour
 * however many services sit on it; request capacity units are usage. Services take a
 * {@link LoadBalancerSeat} (`seat(port)`) and add their listener in their own scope.
 */
export class SharedLoadBalancer extends Construct {
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Its security group. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: SharedLoadBalancerProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `Internal load balancer of ${props.purpose}: each service admits its own callers on its own listener port`,
      allowAllOutbound: false,
    });
    this.loadBalancer = internalLoadBalancer(this, 'LoadBalancer', { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroup: this.securityGroup, deletionProtection: props.deletionProtection });
    props.accessLogs.logLoadBalancer(this.loadBalancer, props.accessLogPrefix);
    Validations.of(this.loadBalancer).acknowledge({
      id: 'cdk-validator-cfnguard::elbv2_logging_enabled_check',
      reason: 'Access logging is on (access_logs.s3.enabled); the bucket is the platform access log bucket, imported from the shared stack (Fn::ImportValue), which the guard rule cannot follow.',
    });
    if (!(props.deletionProtection ?? false)) {
      Validations.of(this.loadBalancer).acknowledge({
        id: 'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
        reason: 'Environments that keep no data (dev) are torn down and rebuilt at will; deletion protection is on wherever data is retained (prod).',
      });
    }
  }

  /** A seat on this load balancer at a listener port. */
  public seat(port: number): LoadBalancerSeat {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw ConstructPropError.of(this, 'port', `is ${port}; expected a TCP port from 1 to 65535`);
    return {
      loadBalancerArn: this.loadBalancer.loadBalancerArn,
      loadBalancerDnsName: this.loadBalancer.loadBalancerDnsName,
      loadBalancerFullName: this.loadBalancer.loadBalancerFullName,
      securityGroupId: this.securityGroup.securityGroupId,
      port,
    };
  }
}

/**
 * The shared load balancer of a seat, imported in `scope` (as `SharedLoadBalancer`): the listener,
 * rules, target groups and security group rules a service adds through it are made in `scope`'s
 * stack, never in the load balancer's.
 */
export function importSeatedLoadBalancer(scope: Construct, seat: LoadBalancerSeat, vpc: ec2.IVpc): elbv2.IApplicationLoadBalancer {
  return elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(scope, 'SharedLoadBalancer', {
    loadBalancerArn: seat.loadBalancerArn,
    loadBalancerDnsName: seat.loadBalancerDnsName,
    securityGroupId: seat.securityGroupId,
    securityGroupAllowsAllOutbound: false,
    vpc,
  });
}

/** What {@link internalLoadBalancer} needs. */
export interface InternalLoadBalancerOptions {
  readonly vpc: ec2.IVpc;
  /** @default - the VPC's private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default - a name CloudFormation makes */
  readonly loadBalancerName?: string;
  /** @default false */
  readonly deletionProtection?: boolean;
}

/**
 * An internal ALB as every load balancer of the platform is made: no internet route, invalid header
 * fields dropped, the strictest desync mitigation, a 60 s idle timeout.
 */
export function internalLoadBalancer(scope: Construct, id: string, options: InternalLoadBalancerOptions): elbv2.ApplicationLoadBalancer {
  return new elbv2.ApplicationLoadBalancer(scope, id, {
    loadBalancerName: options.loadBalancerName,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    internetFacing: false,
    securityGroup: options.securityGroup,
    dropInvalidHeaderFields: true,
    desyncMitigationMode: elbv2.DesyncMitigationMode.STRICTEST,
    deletionProtection: options.deletionProtection ?? false,
    idleTimeout: Duration.seconds(60),
  });
}

/**
 * An HTTP listener that admits no one until a caller is allowed in, and answers a JSON 404 to
 * whatever no rule of it matches.
 */
export function jsonNotFoundListener(scope: Construct, id: string, loadBalancer: elbv2.IApplicationLoadBalancer, port: number): elbv2.ApplicationListener {
  return new elbv2.ApplicationListener(scope, id, {
    loadBalancer,
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'application/json', messageBody: '{"message":"Not Found"}' }),
  });
}
