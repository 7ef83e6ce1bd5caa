import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { type ContainerSpec, shutdownBudgetOf } from '../model/service-spec';

/**
 * The target group of a container service's tasks or pods, from its container spec: IP targets on
 * the container port, healthy after two 200s from its health path in a row and out after three
 * misses, drained for the spec's deregistration delay. Fargate services and the kubernetes
 * services' load balancer make theirs from it.
 */
export function containerTargetGroupProps(vpc: ec2.IVpc, container: ContainerSpec): elbv2.ApplicationTargetGroupProps {
  return {
    vpc,
    port: container.port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: Duration.seconds(shutdownBudgetOf(container).deregistrationDelaySeconds),
    healthCheck: {
      path: container.healthCheckPath,
      healthyHttpCodes: '200',
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    },
  };
}
