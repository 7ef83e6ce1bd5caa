/**
 * The local platform's description, read from the synthesized assembly and the catalog: which
 * function or process serves each service and with what environment, every route with its scope,
 * body schema and throttling, the tables, queues, rules, event source mappings, state machines,
 * app clients, parameters, flag documents and registry entries. Nothing is written twice: each
 * value is the one the constructs synthesized.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ServiceSpec } from '../../constructs/model/service-spec';
import { CloudAssembly, nameInArn } from './cloud-assembly';

/** A Lambda service: its function, handler export and environment. */
export interface LocalFunction {
  readonly service: string;
  readonly functionName: string;
  /** The TypeScript entry (from the spec) and the export the function's `Handler` names. */
  readonly entry: string;
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
}

/** A container service (Fargate or kubernetes): its server entry, port and environment. */
export interface LocalContainer {
  readonly service: string;
  readonly runtime: 'fargate' | 'kubernetes';
  /** The server entry its Dockerfile bundles. */
  readonly entry: string;
  readonly healthCheckPath: string;
  readonly environment: Record<string, string>;
}

/** A route of the edge. */
export interface LocalRoute {
  readonly service: string;
  readonly method: string;
  /** The path template, e.g. `/orders/{id}`. */
  readonly path: string;
  /** Scopes one of which the token must hold (`shop/orders.write`); none when the route is open. */
  readonly scopes: readonly string[];
  readonly requestBodySchema?: Record<string, unknown>;
  /** A Lambda proxy integration (by function name), or an HTTP proxy to the container at `path`. */
  readonly integration: { readonly kind: 'lambda'; readonly functionName: string } | { readonly kind: 'http'; readonly path: string };
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

export interface LocalTable {
  readonly name: string;
  readonly service: string;
  readonly keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  readonly attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  readonly globalSecondaryIndexes?: { IndexName: string; KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]; Projection: { ProjectionType: 'ALL' } }[];
  /** Whether its stream feeds a function. */
  readonly stream: boolean;
}

export interface LocalQueue {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly deadLetter?: { readonly queueName: string; readonly maxReceiveCount: number };
}

/** A rule of the bus and where it delivers. */
export interface LocalRule {
  readonly name: string;
  readonly eventPattern: Record<string, unknown>;
  readonly targets: readonly (
    | { readonly kind: 'queue'; readonly queueName: string }
    | { readonly kind: 'stateMachine'; readonly stateMachineName: string; readonly inputPathsMap: Record<string, string>; readonly inputTemplate: string }
  )[];
}

export interface LocalEventSourceMapping {
  readonly functionName: string;
  readonly source: { readonly kind: 'queue'; readonly queueName: string } | { readonly kind: 'stream'; readonly tableName: string };
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
}

export interface LocalStateMachine {
  readonly name: string;
  readonly definition: Record<string, any>;
}

export interface LocalPlatformModel {
  readonly services: readonly ServiceSpec[];
  readonly functions: readonly LocalFunction[];
  readonly containers: readonly LocalContainer[];
  readonly routes: readonly LocalRoute[];
  readonly tables: readonly LocalTable[];
  readonly queues: readonly LocalQueue[];
  readonly rules: readonly LocalRule[];
  readonly eventSourceMappings: readonly LocalEventSourceMapping[];
  readonly stateMachines: readonly LocalStateMachine[];
  /** App clients by front end, with the scopes each may ask for. */
  readonly appClients: readonly { readonly frontEnd: string; readonly clientName: string; readonly scopes: readonly string[] }[];
  readonly parameters: Readonly<Record<string, string>>;
  /** Flag documents by AppConfig profile name, with the application and environment they are deployed to. */
  readonly flagProfiles: Readonly<Record<string, unknown>>;
  /** Registry attributes by service, as the constructs register them. */
  readonly registry: Readonly<Record<string, Record<string, string>>>;
  /** The discovery namespace services look each other up in. */
  readonly namespaces: readonly string[];
  /** The gateway's error bodies, by response type (`DEFAULT_4XX`, `BAD_REQUEST_BODY`, ...). */
  readonly gatewayResponses: Readonly<Record<string, string>>;
}

/** Reads the local platform from the assembly in `assemblyDir` and the catalog it was synthesized from. */
export function readPlatformModel(assemblyDir: string, services: readonly ServiceSpec[]): LocalPlatformModel {
  const assembly = CloudAssembly.read(assemblyDir);
  const serviceOfStack = (stackName: string) => services.find((spec) => stackName.endsWith(`-service-${spec.name}`))?.name;
  const problems: string[] = [];

  const functions: LocalFunction[] = [];
  for (const fn of assembly.resources('AWS::Lambda::Function')) {
    const service = serviceOfStack(fn.stackName);
    const spec = services.find((s) => s.name === service);
    if (spec === undefined || spec.runtime !== 'lambda') continue;
    const environment = assembly.resolve(fn.stackName, fn.properties.Environment?.Variables ?? {}) as Record<string, string>;
    // The FIS extension's wrapper exists only in Lambda's image.
    delete environment.AWS_LAMBDA_EXEC_WRAPPER;
    delete environment.AWS_FIS_CONFIGURATION_LOCATION;
    functions.push({
      service: spec.name,
      functionName: assembly.physicalName(fn.stackName, fn.logicalId),
      entry: spec.lambda.entry,
      handlerExport: String(fn.properties.Handler ?? 'index.handler').split('.').pop()!,
      timeoutSeconds: Number(fn.properties.Timeout ?? 3),
      environment,
    });
  }

  const containers: LocalContainer[] = [];
  for (const spec of services) {
    if (spec.runtime !== 'fargate' && spec.runtime !== 'kubernetes') continue;
    const stack = assembly.stackNames.find((name) => name.endsWith(`-service-${spec.name}`));
    const environment = stack === undefined ? undefined : spec.runtime === 'fargate' ? fargateEnvironment(assembly, stack) : kubernetesEnvironment(assembly, stack, spec.name);
    if (environment === undefined) {
      problems.push(`service '${spec.name}' (${spec.runtime}): the assembly holds no container definition for it`);
      continue;
    }
    const entry = serverEntryOf(spec.container.dockerfileDirectory, spec.container.buildContext);
    if (typeof entry !== 'string') {
      problems.push(`service '${spec.name}' (container.dockerfileDirectory): ${entry.error}`);
      continue;
    }
    containers.push({ service: spec.name, runtime: spec.runtime, entry, healthCheckPath: spec.container.healthCheckPath ?? '/health', environment });
  }

  const routes = readRoutes(assembly, serviceOfStack);

  const tables: LocalTable[] = assembly.resources('AWS::DynamoDB::Table').map((table) => ({
    name: assembly.physicalName(table.stackName, table.logicalId),
    service: serviceOfStack(table.stackName) ?? table.stackName,
    keySchema: table.properties.KeySchema,
    attributeDefinitions: table.properties.AttributeDefinitions,
    globalSecondaryIndexes: table.properties.GlobalSecondaryIndexes?.map((index: any) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: { ProjectionType: 'ALL' } })),
    stream: table.properties.StreamSpecification !== undefined,
  }));

  const queues: LocalQueue[] = assembly.resources('AWS::SQS::Queue').map((queue) => {
    const redrive = assembly.resolve(queue.stackName, queue.properties.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
    return {
      name: assembly.physicalName(queue.stackName, queue.logicalId),
      visibilityTimeoutSeconds: Number(queue.properties.VisibilityTimeout ?? 30),
      ...(redrive === undefined ? {} : { deadLetter: { queueName: nameInArn(redrive.deadLetterTargetArn), maxReceiveCount: Number(redrive.maxReceiveCount) } }),
    };
  });

  const rules: LocalRule[] = assembly.resources('AWS::Events::Rule').map((rule) => ({
    name: `${rule.stackName}/${rule.logicalId}`,
    eventPattern: assembly.resolve(rule.stackName, rule.properties.EventPattern) as Record<string, unknown>,
    targets: ((rule.properties.Targets ?? []) as any[]).map((target) => {
      const targetArn = String(assembly.resolve(rule.stackName, target.Arn));
      if (targetArn.includes(':states:')) {
        return {
          kind: 'stateMachine' as const,
          stateMachineName: nameInArn(targetArn),
          inputPathsMap: target.InputTransformer?.InputPathsMap ?? {},
          inputTemplate: target.InputTransformer?.InputTemplate ?? '<aws.events.event>',
        };
      }
      return { kind: 'queue' as const, queueName: nameInArn(targetArn) };
    }),
  }));

  const eventSourceMappings: LocalEventSourceMapping[] = assembly.resources('AWS::Lambda::EventSourceMapping').map((mapping) => {
    const sourceArn = String(assembly.resolve(mapping.stackName, mapping.properties.EventSourceArn));
    const functionName = String(assembly.resolve(mapping.stackName, mapping.properties.FunctionName)).split(':')[0];
    return {
      functionName,
      source: sourceArn.includes(':dynamodb:') ? { kind: 'stream' as const, tableName: nameInArn(sourceArn) } : { kind: 'queue' as const, queueName: nameInArn(sourceArn) },
      batchSize: Number(mapping.properties.BatchSize ?? 10),
      reportBatchItemFailures: (mapping.properties.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    };
  });

  const stateMachines: LocalStateMachine[] = assembly.resources('AWS::StepFunctions::StateMachine').map((machine) => ({
    name: assembly.physicalName(machine.stackName, machine.logicalId),
    definition: JSON.parse(String(assembly.resolve(machine.stackName, machine.properties.DefinitionString))) as Record<string, any>,
  }));

  const frontEnds = [...new Set(services.flatMap((spec) => (spec.entry === undefined ? [] : [spec.entry.frontEnd])))];
  const appClients = assembly.resources('AWS::Cognito::UserPoolClient').flatMap((client) => {
    const clientName = String(assembly.resolve(client.stackName, client.properties.ClientName));
    const frontEnd = frontEnds.find((name) => clientName.endsWith(`-${name}`));
    if (frontEnd === undefined) return [];
    return [{ frontEnd, clientName, scopes: (assembly.resolve(client.stackName, client.properties.AllowedOAuthScopes ?? []) as string[]).map(String) }];
  });

  const parameters = Object.fromEntries(
    assembly.resources('AWS::SSM::Parameter').map((parameter) => [String(assembly.resolve(parameter.stackName, parameter.properties.Name)), String(assembly.resolve(parameter.stackName, parameter.properties.Value))]),
  );

  const flagProfiles: Record<string, unknown> = {};
  for (const version of assembly.resources('AWS::AppConfig::HostedConfigurationVersion')) {
    const profileRef = version.properties.ConfigurationProfileId?.Ref as string | undefined;
    const profile = profileRef === undefined ? undefined : assembly.resource(version.stackName, profileRef);
    if (profile !== undefined) flagProfiles[String(profile.properties.Name)] = JSON.parse(String(version.properties.Content));
  }

  const registry: Record<string, Record<string, string>> = {};
  for (const instance of assembly.resources('AWS::ServiceDiscovery::Instance')) {
    const service = serviceOfStack(instance.stackName);
    if (service !== undefined) registry[service] = assembly.resolve(instance.stackName, instance.properties.InstanceAttributes) as Record<string, string>;
  }
  const namespaces = assembly.resources('AWS::ServiceDiscovery::HttpNamespace').map((namespace) => String(assembly.resolve(namespace.stackName, namespace.properties.Name)));

  const gatewayResponses = Object.fromEntries(
    assembly.resources('AWS::ApiGateway::GatewayResponse').map((response) => [String(response.properties.ResponseType), String(response.properties.ResponseTemplates?.['application/json'] ?? '')]),
  );

  if (problems.length > 0) throw new Error(`the local platform cannot run this catalog:\n  ${problems.join('\n  ')}`);
  return { services, functions, containers, routes, tables, queues, rules, eventSourceMappings, stateMachines, appClients, parameters, flagProfiles, registry, namespaces, gatewayResponses };
}

function fargateEnvironment(assembly: CloudAssembly, stackName: string): Record<string, string> | undefined {
  for (const task of assembly.resources('AWS::ECS::TaskDefinition').filter((resource) => resource.stackName === stackName)) {
    const app = (task.properties.ContainerDefinitions as any[]).find((container) => (container.PortMappings ?? []).length > 0);
    if (app === undefined) continue;
    return Object.fromEntries((assembly.resolve(stackName, app.Environment ?? []) as { Name: string; Value: string }[]).map((variable) => [variable.Name, String(variable.Value)]));
  }
  return undefined;
}

/** The container's environment in the Deployment its chart applies, with its ConfigMap's entries under their prefix. */
function kubernetesEnvironment(assembly: CloudAssembly, stackName: string, service: string): Record<string, string> | undefined {
  for (const resource of assembly.resources('Custom::AWSCDK-EKS-KubernetesResource').filter((r) => r.stackName === stackName)) {
    const manifest = JSON.parse(String(assembly.resolve(stackName, resource.properties.Manifest))) as any[];
    const deployment = manifest.find((object) => object.kind === 'Deployment');
    const container = deployment?.spec?.template?.spec?.containers?.find((c: any) => c.name === service);
    if (container === undefined) continue;
    const environment: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      const configMap = manifest.find((object) => object.kind === 'ConfigMap' && object.metadata?.name === from.configMapRef?.name);
      for (const [key, value] of Object.entries(configMap?.data ?? {})) environment[`${from.prefix ?? ''}${key}`] = String(value);
    }
    for (const variable of container.env ?? []) if (variable.value !== undefined) environment[variable.name] = String(variable.value);
    return environment;
  }
  return undefined;
}

/** The server entry a container's Dockerfile bundles (`npm run bundle:container -- <entry>`). */
function serverEntryOf(dockerfileDirectory: string, buildContext: string | undefined): string | { error: string } {
  const dockerfile = path.join(dockerfileDirectory, 'Dockerfile');
  if (!fs.existsSync(dockerfile)) return { error: `${dockerfile} does not exist` };
  const match = /bundle:container\s+--\s+(\S+)/.exec(fs.readFileSync(dockerfile, 'utf8'));
  if (match === null) return { error: `${dockerfile} does not bundle its server with \`npm run bundle:container -- <entry>\`` };
  return path.resolve(buildContext ?? dockerfileDirectory, match[1]);
}

function readRoutes(assembly: CloudAssembly, serviceOfStack: (stackName: string) => string | undefined): LocalRoute[] {
  const stage = assembly.resources('AWS::ApiGateway::Stage')[0];
  const settings = (stage?.properties.MethodSettings ?? []) as { HttpMethod: string; ResourcePath: string; ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }[];
  const throttleOf = (method: string, routePath: string) => {
    const encoded = `/${routePath.replace(/\//g, '~1')}`;
    const setting = settings.find((s) => s.ResourcePath === encoded && (s.HttpMethod === method || s.HttpMethod === '*')) ?? settings.find((s) => s.ResourcePath === '/*');
    return { rateLimit: setting?.ThrottlingRateLimit ?? 10_000, burstLimit: setting?.ThrottlingBurstLimit ?? 5_000 };
  };
  const pathOf = (stackName: string, resourceRef: unknown): string => {
    const logicalId = (resourceRef as { Ref?: string }).Ref;
    if (logicalId === undefined) return '';
    const resource = assembly.resource(stackName, logicalId);
    if (resource === undefined) return '';
    return `${pathOf(stackName, resource.properties.ParentId)}/${String(resource.properties.PathPart)}`;
  };
  const routes: LocalRoute[] = [];
  for (const method of assembly.resources('AWS::ApiGateway::Method')) {
    const service = serviceOfStack(method.stackName);
    if (service === undefined || method.properties.HttpMethod === 'OPTIONS') continue;
    const routePath = pathOf(method.stackName, method.properties.ResourceId) || '/';
    const integration = method.properties.Integration ?? {};
    const uri = String(assembly.resolve(method.stackName, integration.Uri ?? ''));
    const modelRef = method.properties.RequestModels?.['application/json']?.Ref as string | undefined;
    const model = modelRef === undefined ? undefined : assembly.resource(method.stackName, modelRef);
    routes.push({
      service,
      method: String(method.properties.HttpMethod),
      path: routePath,
      scopes: method.properties.AuthorizationType === 'COGNITO_USER_POOLS' ? (assembly.resolve(method.stackName, method.properties.AuthorizationScopes ?? []) as string[]) : [],
      ...(model === undefined ? {} : { requestBodySchema: model.properties.Schema as Record<string, unknown> }),
      integration:
        integration.Type === 'AWS_PROXY'
          ? { kind: 'lambda', functionName: nameInArn(/functions\/(.+)\/invocations/.exec(uri)?.[1] ?? uri) }
          : { kind: 'http', path: new URL(uri).pathname },
      throttle: throttleOf(String(method.properties.HttpMethod), routePath),
    });
  }
  return routes;
}
