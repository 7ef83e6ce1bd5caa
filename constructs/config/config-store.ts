import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { configEntriesOf } from '../model/resilience-policy';
import type { ServiceSpec } from '../model/service-spec';

/** Props of a ConfigStore. */
export interface ConfigStoreProps {
  /** Platform name, the first level of the hierarchy. */
  readonly platformName: string;
  /** Environment name, the second level. */
  readonly environmentName: string;
  /** The services whose `config` is written to the store. */
  readonly services: readonly ServiceSpec[];
}

const LEVEL = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The config server: a Parameter Store hierarchy `/<platform>/<env>/<service>/<key>` made from
 * each spec's config and resilience policies. Services read their own path (with caching) and nothing else; a changed
 * value takes effect without a redeploy.
 */
export class ConfigStore extends Construct {
  /** `/<platform>/<env>`, the root of the hierarchy. */
  public readonly rootPath: string;
  /** Every parameter made, by service name and key. */
  public readonly parameters: ReadonlyMap<string, ReadonlyMap<string, ssm.StringParameter>>;

  constructor(scope: Construct, id: string, props: ConfigStoreProps) {
    super(scope, id);
    if (!LEVEL.test(props.platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${props.platformName}' must be lowercase letters, digits and hyphens`);
    }
    if (!LEVEL.test(props.environmentName)) {
      throw ConstructPropError.of(this, 'environmentName', `'${props.environmentName}' must be lowercase letters, digits and hyphens`);
    }
    this.rootPath = `/${props.platformName}/${props.environmentName}`;
    const byService = new Map<string, Map<string, ssm.StringParameter>>();
    for (const spec of props.services) {
      const own = new Map<string, ssm.StringParameter>();
      // The spec's config, and its resilience policies as `resilience.<callee>.<field>`.
      for (const [key, value] of Object.entries(configEntriesOf(spec))) {
        own.set(
          key,
          new ssm.StringParameter(this, `${spec.name}-${key}`, {
            parameterName: this.parameterName(spec.name, key),
            stringValue: value,
            description: `${key} of ${spec.name}`,
            tier: ssm.ParameterTier.STANDARD,
          }),
        );
      }
      byService.set(spec.name, own);
    }
    this.parameters = byService;
  }

  /** The path that holds one service's config, e.g. `/shop/dev/orders`. */
  public pathOf(serviceName: string): string {
    return `${this.rootPath}/${serviceName}`;
  }

  /** The full name of one parameter. */
  public parameterName(serviceName: string, key: string): string {
    return `${this.pathOf(serviceName)}/${key}`;
  }

  /**
   * Lets the grantee read one service's config path, and only that path: the path itself (for
   * GetParametersByPath) and each of its parameters by ARN, with no wildcard.
   */
  public grantReadConfig(serviceName: string, grantee: iam.IGrantable): iam.Grant {
    const own = this.parameters.get(serviceName);
    if (own === undefined) {
      throw ConstructPropError.of(this, 'services', `has no service named '${serviceName}'; it cannot grant its config`);
    }
    const stack = Stack.of(this);
    const arnOf = (name: string) => stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    const byPath = iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParametersByPath'], resourceArns: [arnOf(this.pathOf(serviceName))] });
    if (own.size === 0) return byPath;
    return byPath.combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['ssm:GetParameter', 'ssm:GetParameters'],
        resourceArns: [...own.keys()].map((key) => arnOf(this.parameterName(serviceName, key))),
      }),
    );
  }

  /**
   * Lets the grantee read the named secrets of one service, stored in Secrets Manager at
   * `<platform>/<env>/<service>/<name>` (no leading slash). The trailing `-??????` matches the random suffix
   * Secrets Manager adds to every secret ARN, and nothing longer.
   */
  public grantReadSecrets(serviceName: string, secretNames: readonly string[], grantee: iam.IGrantable): iam.Grant | undefined {
    if (secretNames.length === 0) return undefined;
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resourceArns: secretNames.map((name) =>
        stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${this.pathOf(serviceName).slice(1)}/${name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ),
    });
  }
}
