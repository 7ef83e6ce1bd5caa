import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';

/** Settings of a hardened user pool. */
export interface HardenedUserPoolOptions {
  /** Name of the pool. */
  readonly userPoolName: string;
  /** Cognito Plus tier with threat protection enforced (acknowledged as a cost saving when off). */
  readonly threatProtection: boolean;
  /** Keep the pool when the stack is deleted, with deletion protection on. */
  readonly retain: boolean;
  /** Shortest password accepted. */
  readonly minPasswordLength: number;
  /** Days a temporary password given by an administrator stays valid. */
  readonly tempPasswordDays: number;
}

/**
 * A user pool that people are added to by an administrator (no self sign-up), sign in with their
 * email, must use an authenticator app as second factor and a strong password, and (where the
 * profile asks) are guarded by Cognito threat protection.
 */
export function hardenedUserPool(scope: Construct, id: string, options: HardenedUserPoolOptions): cognito.UserPool {
  const pool = new cognito.UserPool(scope, id, {
    userPoolName: options.userPoolName,
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { otp: true, sms: false },
    passwordPolicy: { minLength: options.minPasswordLength, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(options.tempPasswordDays) },
    featurePlan: options.threatProtection ? cognito.FeaturePlan.PLUS : cognito.FeaturePlan.ESSENTIALS,
    standardThreatProtectionMode: options.threatProtection ? cognito.StandardThreatProtectionMode.FULL_FUNCTION : undefined,
    deletionProtection: options.retain,
    removalPolicy: options.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  if (!options.threatProtection) {
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason: 'Cost, for non-production profiles only: the Plus tier is billed per monthly active user. Profiles that set threatProtection (prod) run on Plus with threat protection enforced.',
    });
  }
  return pool;
}
