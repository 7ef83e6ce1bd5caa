/**
 * Reading a synthesized cloud assembly as the local platform needs it: every stack's template,
 * its resources by type, and CloudFormation's intrinsic functions resolved to the names the local
 * stand-ins use (a table's name, a function's name and ARN, a queue's name, an imported value).
 * Nothing here knows the demo: it reads what the constructs wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The region and account the local platform pretends to run in. */
export const LOCAL_REGION = 'eu-west-1';
export const LOCAL_ACCOUNT = '000000000000';

/** One resource of one stack. */
export interface AssemblyResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, any>;
}

interface Template {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, any> }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** The templates of an assembly directory, with intrinsics resolved for the local platform. */
export class CloudAssembly {
  readonly #templates = new Map<string, Template>();
  readonly #exports = new Map<string, { stackName: string; value: unknown }>();

  /** Reads every stack of the assembly in `directory` (its manifest.json lists them). */
  static read(directory: string): CloudAssembly {
    const manifestFile = path.join(directory, 'manifest.json');
    if (!fs.existsSync(manifestFile)) throw new Error(`no cloud assembly in ${directory}: manifest.json is missing`);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }> };
    const templates: Record<string, Template> = {};
    for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
      if (artifact.type !== 'aws:cloudformation:stack' || artifact.properties?.templateFile === undefined) continue;
      templates[name] = JSON.parse(fs.readFileSync(path.join(directory, artifact.properties.templateFile), 'utf8')) as Template;
    }
    return new CloudAssembly(templates);
  }

  constructor(templates: Record<string, Template>) {
    for (const [stackName, template] of Object.entries(templates)) {
      this.#templates.set(stackName, template);
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export !== undefined) this.#exports.set(String(output.Export.Name), { stackName, value: output.Value });
      }
    }
  }

  /** Names of the stacks. */
  get stackNames(): string[] {
    return [...this.#templates.keys()];
  }

  /** Every resource of `type`, across the stacks, in template order. */
  resources(type: string): AssemblyResource[] {
    const found: AssemblyResource[] = [];
    for (const [stackName, template] of this.#templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        if (resource.Type === type) found.push({ stackName, logicalId, type, properties: resource.Properties ?? {} });
      }
    }
    return found;
  }

  /** The resource `logicalId` of `stackName`. */
  resource(stackName: string, logicalId: string): AssemblyResource | undefined {
    const resource = this.#templates.get(stackName)?.Resources?.[logicalId];
    return resource === undefined ? undefined : { stackName, logicalId, type: resource.Type, properties: resource.Properties ?? {} };
  }

  /** `value` with every intrinsic function resolved, in the scope of `stackName`. */
  resolve(stackName: string, value: unknown): any {
    if (Array.isArray(value)) return value.map((item) => this.resolve(stackName, item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      switch (key) {
        case 'Ref':
          return this.#ref(stackName, String(argument));
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
          return this.#getAtt(stackName, String(logicalId), String(attribute));
        }
        case 'Fn::ImportValue': {
          const name = String(this.resolve(stackName, argument));
          const exported = this.#exports.get(name);
          if (exported === undefined) throw new Error(`the assembly exports no value named ${name} (imported by ${stackName})`);
          return this.resolve(exported.stackName, exported.value);
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown[]];
          return (this.resolve(stackName, parts) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [unknown, unknown];
          return (this.resolve(stackName, list) as unknown[])[Number(this.resolve(stackName, index))];
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, unknown];
          return String(this.resolve(stackName, text)).split(separator);
        }
        case 'Fn::Sub': {
          const [template, variables] = (Array.isArray(argument) ? argument : [argument, {}]) as [string, Record<string, unknown>];
          return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in variables) return String(this.resolve(stackName, variables[name]));
            const [logicalId, attribute] = name.split('.');
            return String(attribute === undefined ? this.#ref(stackName, logicalId) : this.#getAtt(stackName, logicalId, attribute));
          });
        }
        default:
          break;
      }
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(stackName, item)]));
  }

  /** The physical name of a resource, as the local stand-ins know it. */
  physicalName(stackName: string, logicalId: string): string {
    const resource = this.resource(stackName, logicalId);
    const properties = resource?.properties ?? {};
    const named = properties.TableName ?? properties.QueueName ?? properties.FunctionName ?? properties.StateMachineName ?? properties.Name;
    return named === undefined ? `${stackName}-${logicalId}` : String(this.resolve(stackName, named));
  }

  #ref(stackName: string, logicalId: string): string {
    switch (logicalId) {
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      default:
        break;
    }
    const resource = this.resource(stackName, logicalId);
    switch (resource?.type) {
      case 'AWS::Lambda::Function':
        return this.physicalName(stackName, logicalId);
      case 'AWS::Lambda::Alias':
        return `${arn('lambda', `function:${String(this.resolve(stackName, resource.properties.FunctionName))}`)}:${String(resource.properties.Name)}`;
      case 'AWS::StepFunctions::StateMachine':
        return arn('states', `stateMachine:${this.physicalName(stackName, logicalId)}`);
      case 'AWS::Cognito::UserPoolResourceServer':
        return String(resource.properties.Identifier);
      default:
        return this.physicalName(stackName, logicalId);
    }
  }

  #getAtt(stackName: string, logicalId: string, attribute: string): string {
    const resource = this.resource(stackName, logicalId);
    const name = this.physicalName(stackName, logicalId);
    if (attribute === 'Arn') {
      switch (resource?.type) {
        case 'AWS::SQS::Queue':
          return arn('sqs', name);
        case 'AWS::DynamoDB::Table':
          return arn('dynamodb', `table/${name}`);
        case 'AWS::Lambda::Function':
          return arn('lambda', `function:${name}`);
        default:
          return arn('local', `${stackName}/${logicalId}`);
      }
    }
    if (attribute === 'StreamArn') return arn('dynamodb', `table/${name}/stream/local`);
    return `${logicalId}.${attribute}.local`;
  }
}

/** An ARN in the local region and account. */
export function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** The last part of an ARN (a queue's or a table's name, a function's name without its qualifier). */
export function nameInArn(value: string): string {
  const tablePart = /:table\/([^/]+)/.exec(value);
  if (tablePart) return tablePart[1];
  const functionPart = /:function:([^:]+)/.exec(value);
  if (functionPart) return functionPart[1];
  const statePart = /:stateMachine:([^:]+)/.exec(value);
  if (statePart) return statePart[1];
  return value.split(':').pop() ?? value;
}
