import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { LambdaMicroservice } from '../../compute/lambda-microservice';
import type { LambdaServiceSpec } from '../../model/service-spec';
import type { RuntimeDeployment, ServiceRuntime } from '../service-runtime';
import { lambdaSpecRules } from './lambda-spec-rules';

/** Options of the lambda runtime. */
export interface LambdaRuntimeOptions {
  /**
   * esbuild options merged over the defaults of every function.
   * @default - minified, no source map, AWS SDK v3 left to the runtime
   */
  readonly bundling?: nodejs.BundlingOptions;
}

/** Services on AWS Lambda, each a {@link LambdaMicroservice} in the platform VPC. */
export function lambdaRuntime(options: LambdaRuntimeOptions = {}): ServiceRuntime<LambdaServiceSpec> {
  return {
    ...lambdaSpecRules,
    bind(context): RuntimeDeployment<LambdaServiceSpec> {
      return {
        deploy: (scope, spec) =>
          new LambdaMicroservice(scope, spec.name, {
            spec,
            platformName: context.platformName,
            environmentName: context.environmentName,
            vpc: context.vpc,
            vpcSubnets: context.serviceSubnets,
            retainData: context.profile.retainData,
            logRetention: context.profile.logRetention,
            faultInjection: context.profile.lambdaFaultInjection,
            bundling: options.bundling,
            encryptionKey: context.serviceKey(),
          }),
      };
    },
  };
}
