import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { NatInstanceChoice } from './network/platform-network';
import type { LogSearchCapacity } from './observability/log-aggregation';

/**
 * A deployment profile: the data that makes one environment cost-lean and another highly
 * available, from one code path. Stacks choose a profile; constructs take the values.
 */
export interface PlatformProfile {
  /** The environment name, used in resource names and the config path (e.g. `dev`). */
  readonly name: string;
  /** Availability zones the network spans. */
  readonly maxAzs: number;
  /** NAT gateways (or instances); one per AZ for high availability. */
  readonly natGateways: number;
  /**
   * A NAT instance in place of each NAT gateway, with the reason it is acceptable.
   * @default - NAT gateways
   */
  readonly natInstance?: NatInstanceChoice;
  /** Keep data stores and keys when the stack is deleted, and turn on deletion protection. */
  readonly retainData: boolean;
  /** Retention of every log group (at least one year, which the Control Tower rules require). */
  readonly logRetention: RetentionDays;
  /** Steady-state request rate per second allowed at the edge, per stage. */
  readonly throttleRateLimit: number;
  /** Burst of requests allowed at the edge. */
  readonly throttleBurstLimit: number;
  /** Share of requests traced by X-Ray after the per-second reservoir (0 to 1). */
  readonly traceSampleRate: number;
  /** Cognito Plus tier with threat protection enforced. */
  readonly identityThreatProtection: boolean;
  /** How long a deleted KMS key waits before it is gone. */
  readonly keyPendingWindow: Duration;
  /**
   * `shared`: one key encrypts every service's data, logs and queues, and each of those resources is
   * granted to its own service alone by IAM. `per-service`: each service has a key of its own as
   * well ($1 a month each), for accounts whose rules ask for a key boundary per service.
   * @default 'shared'
   */
  readonly serviceKeys?: 'shared' | 'per-service';
  /** Container services may run part of their tasks on Fargate Spot (interruptible). */
  readonly fargateSpot: boolean;
  /** Least share of a container service's tasks kept healthy during a deployment (percent). */
  readonly minHealthyPercent: number;
  /** Share of a container service's tasks its chaos experiment stops (percent). */
  readonly chaosTaskStopPercent: number;
  /** Lambda services carry the FIS extension, for latency and error experiments (it polls for faults on every invocation). */
  readonly lambdaFaultInjection: boolean;
  /** The central log store (OpenSearch): its size and availability, and why it is relaxed where it is. */
  readonly logSearch: LogSearchProfile;
  /**
   * What the environment may cost in a month (USD): an AWS Budgets budget over the resources tagged
   * with the platform and environment, which alerts the platform's alert topic on its forecast.
   * @default - no budget
   */
  readonly monthlyBudgetUsd?: number;
}

/** Size and availability of the central log store, and the reason for any relaxation of the HA rules. */
export interface LogSearchProfile extends LogSearchCapacity {
  /** Why fewer than three zones or no dedicated masters are acceptable here; required when relaxed. */
  readonly relaxationReason?: string;
  /** Days a daily log index is searchable before it is deleted (the log groups keep every event for `logRetention`). */
  readonly indexRetentionDays: number;
}

/** Cost-lean: two AZs, one NAT gateway, data destroyed with the stack, everything traced. */
export const DEV_PROFILE: PlatformProfile = {
  name: 'dev',
  maxAzs: 2,
  natGateways: 1,
  natInstance: {
    instanceType: 't4g.nano',
    reason:
      'Cost, for the dev profile only: a t4g.nano costs a tenth of a NAT gateway by the hour. It has no managed failover and is an instance to patch; ' +
      'a development environment tolerates losing egress while it is replaced, and prod keeps a NAT gateway per zone.',
  },
  retainData: false,
  logRetention: RetentionDays.ONE_YEAR,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  traceSampleRate: 1,
  identityThreatProtection: false,
  keyPendingWindow: Duration.days(7),
  fargateSpot: true,
  minHealthyPercent: 50,
  logSearch: {
    availabilityZones: 1,
    dataNodes: 1,
    dataNodeInstanceType: 't3.medium.search',
    dedicatedMasterNodes: 0,
    volumeSizeGiB: 20,
    indexRetentionDays: 14,
    relaxationReason:
      'Cost, for the dev profile only: one data node in one zone without dedicated masters holds a development environment\'s logs. ' +
      'Losing the zone stops search over recent logs, not the logs themselves: Firehose keeps what it cannot deliver in S3, and every source log group keeps its events for a year.',
  },
  chaosTaskStopPercent: 50,
  lambdaFaultInjection: true,
  monthlyBudgetUsd: 300,
};

/** Highly available: three AZs, a NAT gateway in each, data retained and protected. */
export const PROD_PROFILE: PlatformProfile = {
  name: 'prod',
  maxAzs: 3,
  natGateways: 3,
  retainData: true,
  logRetention: RetentionDays.TWO_YEARS,
  throttleRateLimit: 1000,
  throttleBurstLimit: 2000,
  traceSampleRate: 0.05,
  identityThreatProtection: true,
  keyPendingWindow: Duration.days(30),
  fargateSpot: false,
  minHealthyPercent: 100,
  logSearch: {
    availabilityZones: 3,
    dataNodes: 3,
    dataNodeInstanceType: 'r7g.large.search',
    dedicatedMasterNodes: 3,
    masterNodeInstanceType: 'm7g.large.search',
    volumeSizeGiB: 100,
    indexRetentionDays: 90,
  },
  chaosTaskStopPercent: 25,
  lambdaFaultInjection: false,
  monthlyBudgetUsd: 1500,
};

/** The built-in profiles by name. */
export const PROFILES: Readonly<Record<string, PlatformProfile>> = { dev: DEV_PROFILE, prod: PROD_PROFILE };
