import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ControlTowerGuardGate, type ControlTowerGuardGateProps } from './control-tower-guard';

/** The feature flag that makes CloudFormation schema findings fail synth instead of warning. */
export const VALIDATE_AGAINST_DEFAULT_RULES = '@aws-cdk/core:validateAgainstDefaultRules';

/** Options of {@link addValidationGates}. */
export interface ValidationGatesOptions {
  /** How the Control Tower guard gate caches and spreads its work. @default - its own defaults (cache in `.cache/cfn-guard`, one process per core) */
  readonly guard?: Omit<ControlTowerGuardGateProps, 'maxBuffer'>;
}

/**
 * Registers the gates every synth must pass: cdk-nag's AWS Solutions and Serverless packs and
 * the Control Tower proactive controls (cfn-guard, with the rules that concern the templates' resource types). The CloudFormation schema validator bundled
 * in aws-cdk-lib runs on its own; the app must be created with VALIDATE_AGAINST_DEFAULT_RULES on.
 */
export function addValidationGates(app: App, options: ValidationGatesOptions = {}): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new ControlTowerGuardGate({ maxBuffer: 64 * 1024 * 1024, ...options.guard }));
}
