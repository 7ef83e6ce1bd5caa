/**
 * The validation gates every synth of the platform passes: cdk-nag's AWS Solutions and Serverless
 * packs, and the Control Tower proactive controls through cfn-guard, beside the CloudFormation
 * schema validator bundled in aws-cdk-lib. Import it as `msa-platform-blueprint/gates`; the root
 * entry does not load cdk-nag or cfn-guard.
 *
 * @packageDocumentation
 */
export * from './gated-app';
export * from './validation-gates';
export * from './control-tower-guard';
