import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { configEntriesOf } from '../model/resilience-policy';
import { SERVICE_ENVIRONMENT } from '../model/service-contract';
import type { ServiceSpecBase } from '../model/service-spec';
import type { DeployedService } from '../runtimes/service-runtime';

/** Props of a ConfigStore. */
export interface ConfigStoreProps {
  /** Platform name, the first level of the hierarchy. */
  readonly platformName: string;
  /** Environment name, the second level. */
  readonly environmentName: string;
  /** The services whose `config` is written to the store. */
  readonly services: readonly ServiceSpecBase[];
}

const LEVEL = /^[a-z][a-z0-9-]{0,31}$/;

/** Seconds a service serves a cached config value before it reads it again. */
export const DEFAULT_CONFIG_MAX_AGE_SECONDS = 60;

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
      // Each service's parameters under a scope of its own, so no two services' ids can collide.
      const scope = new Construct(this, spec.name);
      // The spec's config, and its resilience policies as `resilience.<callee>.<field>`.
      for (const [key, value] of Object.entries(configEntriesOf(spec))) {
        own.set(
          key,
          new ssm.StringParameter(scope, key, {
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

  /**
   * Lets a deployed service of any runtime read its own config path and secrets, and points its code
   * at them (`CONFIG_PATH`, `CONFIG_MAX_AGE_SECONDS`).
   */
  public bindService(service: DeployedService, maxAgeSeconds = DEFAULT_CONFIG_MAX_AGE_SECONDS): void {
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0 || maxAgeSeconds > 3600) {
      throw ConstructPropError.of(service, 'configMaxAgeSeconds', `is ${maxAgeSeconds}; expected whole seconds from 0 to 3600`);
    }
    const name = service.spec.name;
    this.grantReadConfig(name, service);
    this.grantReadSecrets(name, service.spec.secrets ?? [], service);
    service.addEnvironment(SERVICE_ENVIRONMENT.configPath, this.pathOf(name));
    service.addEnvironment(SERVICE_ENVIRONMENT.configMaxAgeSeconds, String(maxAgeSeconds));
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
