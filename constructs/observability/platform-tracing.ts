import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';

/** Props of PlatformTracing. */
export interface PlatformTracingProps {
  /** Prefix that every platform service name in X-Ray starts with, e.g. `shop-dev`. */
  readonly servicePrefix: string;
  /**
   * Share of requests traced after the reservoir (0 to 1).
   * @default 0.05
   */
  readonly fixedRate?: number;
  /**
   * Requests per second always traced, before the fixed rate applies.
   * @default 1
   */
  readonly reservoirSize?: number;
}

/**
 * X-Ray for the platform: a sampling rule that applies to the platform's services only, and
 * a group whose filter gathers their traces (with insights on), so the service map and
 * alarms see the platform as one.
 */
export class PlatformTracing extends Construct {
  /** The sampling rule. */
  public readonly samplingRule: xray.CfnSamplingRule;
  /** The group of platform traces. */
  public readonly group: xray.CfnGroup;

  constructor(scope: Construct, id: string, props: PlatformTracingProps) {
    super(scope, id);
    const fixedRate = props.fixedRate ?? 0.05;
    const reservoirSize = props.reservoirSize ?? 1;
    if (!/^[A-Za-z0-9-]{1,24}$/.test(props.servicePrefix)) {
      throw ConstructPropError.of(this, 'servicePrefix', `'${props.servicePrefix}' must be 1 to 24 letters, digits or hyphens (it names the sampling rule)`);
    }
    if (!(fixedRate >= 0 && fixedRate <= 1)) {
      throw ConstructPropError.of(this, 'fixedRate', `is ${fixedRate}; expected a share from 0 to 1`);
    }
    if (!Number.isInteger(reservoirSize) || reservoirSize < 0) {
      throw ConstructPropError.of(this, 'reservoirSize', `is ${reservoirSize}; expected a whole number of requests per second`);
    }
    this.samplingRule = new xray.CfnSamplingRule(this, 'Sampling', {
      samplingRule: {
        ruleName: `${props.servicePrefix}-services`,
        priority: 100,
        fixedRate,
        reservoirSize,
        serviceName: `${props.servicePrefix}-*`,
        serviceType: '*',
        host: '*',
        httpMethod: '*',
        urlPath: '*',
        resourceArn: '*',
        version: 1,
      },
    });
    this.group = new xray.CfnGroup(this, 'Group', {
      groupName: props.servicePrefix,
      filterExpression: `service("${props.servicePrefix}-*")`,
      insightsConfiguration: { insightsEnabled: true, notificationsEnabled: false },
    });
  }
}
