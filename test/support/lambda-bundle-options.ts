import type { BuildOptions } from 'esbuild';

/**
 * The esbuild settings LambdaMicroservice uses (minified, Node 24, CommonJS, AWS SDK v3 left to
 * the runtime), for measuring bundles outside a synth. Kept beside the construct's defaults in
 * constructs/compute/lambda-microservice.ts; change both together.
 */
export const LAMBDA_BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  logLevel: 'silent',
};
