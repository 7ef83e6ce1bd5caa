import { App, type AppProps } from 'aws-cdk-lib';
import { VALIDATE_AGAINST_DEFAULT_RULES, type ValidationGatesOptions, addValidationGates } from './validation-gates';

/** Options of {@link newGatedApp}. */
export interface GatedAppOptions {
  /** Where the cloud assembly goes. @default - the CDK default (cdk.out, or the CLI's choice) */
  readonly outdir?: string;
  /** More context, e.g. to skip bundling in unit tests. @default - none */
  readonly context?: Record<string, unknown>;
  /** Register the validation gates. @default true */
  readonly gates?: boolean;
  /** How the gates run (the guard gate's cache folder and parallelism). @default - the gates' defaults */
  readonly gateOptions?: ValidationGatesOptions;
}

/**
 * An app whose synth fails on any open finding: every validation gate registered (unless `gates`
 * is false), CloudFormation schema findings failing synth, and strong cross-stack references (a
 * producer stack cannot drop a value a consumer still imports). Use it in place of `new App()`.
 */
export function newGatedApp(options: GatedAppOptions = {}): App {
  const props: AppProps = {
    outdir: options.outdir,
    context: {
      [VALIDATE_AGAINST_DEFAULT_RULES]: true,
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      ...options.context,
    },
  };
  const app = new App(props);
  if (options.gates ?? true) addValidationGates(app, options.gateOptions);
  return app;
}
