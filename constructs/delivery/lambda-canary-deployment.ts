import { Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Props of a LambdaCanaryDeployment. */
export interface LambdaCanaryDeploymentProps {
  /** The alias callers invoke; CodeDeploy shifts it from the old version to the new one. */
  readonly alias: lambda.Alias;
  /**
   * How traffic moves to a new version.
   * @default LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES - 10% for five minutes, then the rest
   */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;
  /**
   * Alarms that stop and roll back a deployment when any of them fires; more with `addRollbackAlarm`.
   * There must be at least one by synth (CDK refuses alarm rollback with no alarm).
   * @default - none yet
   */
  readonly alarms?: readonly cloudwatch.IAlarm[];
  /**
   * Name of the deployment group.
   * @default - generated
   */
  readonly deploymentGroupName?: string;
}

/**
 * A canary rollout for one Lambda service: each new version of the function behind its alias
 * takes a share of the traffic first (10% for five minutes by default) and the rest only if
 * none of the watched alarms fires; a fired alarm, a failed or a stopped deployment moves the
 * alias back to the previous version.
 */
export class LambdaCanaryDeployment extends Construct {
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  private readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: LambdaCanaryDeploymentProps) {
    super(scope, id);
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: props.alias,
      deploymentGroupName: props.deploymentGroupName,
      deploymentConfig: props.deploymentConfig ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    for (const alarm of props.alarms ?? []) this.addRollbackAlarm(alarm);
    Validations.of(this.deploymentGroup.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      reason: 'The AWS managed policy made for CodeDeploy on Lambda: read the alarms, update the alias, invoke hooks; it is the narrowest policy AWS defines for it and follows new CodeDeploy needs.',
    });
  }

  /** Watches one more alarm: while it fires, a deployment stops and rolls back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.alarms.push(alarm);
    this.deploymentGroup.addAlarm(alarm);
  }

  /** The alarms watched. */
  public get rollbackAlarms(): readonly cloudwatch.IAlarm[] {
    return [...this.alarms];
  }
}
