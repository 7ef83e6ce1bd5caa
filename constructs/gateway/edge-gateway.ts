import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { PlatformIdentity } from '../identity/platform-identity';
import { ConstructPropError } from '../model/errors';
import { integrationTimeoutMsOf } from '../model/resilience-policy';
import { EntrySpec, FrontEnd, ServiceSpecBase, parseRoute, requestModelNameOf, scopeNameFor } from '../model/service-spec';
import { EncryptedLogGroup } from '../observability/encrypted-log-group';
import { EncryptionKey } from '../security/encryption-key';

/** A private load balancer the gateway reaches through a VPC link (V2). */
export interface PrivateLoadBalancerTarget {
  /** ARN of the internal Application Load Balancer. */
  readonly loadBalancerArn: string;
  /** Base URL of its listener, e.g. `http://internal-x.elb.amazonaws.com`; the route's path is appended. */
  readonly url: string;
  /** The VPC link (V2) that reaches it; its security group must be let in by the load balancer. */
  readonly vpcLink: apigatewayv2.IVpcLink;
}

/** What answers a service's routes at the edge: a function, or a private load balancer reached through a VPC link. */
export type GatewayTarget = { readonly handler: lambda.IFunction; readonly loadBalancer?: undefined } | { readonly loadBalancer: PrivateLoadBalancerTarget; readonly handler?: undefined };

/** A service whose routes the gateway serves, with what answers them: a function or a private load balancer. */
export interface GatewayBackend {
  /** The service's spec (its routes). */
  readonly spec: ServiceSpecBase;
  /** The function that serves every route of the spec (Lambda services). */
  readonly handler?: lambda.IFunction;
  /** The internal load balancer in front of the service (container services). */
  readonly loadBalancer?: PrivateLoadBalancerTarget;
}

/** What the gateway made for one front end's entry (a service with `entry` in its spec). */
export interface GatewayEntry {
  /** The entry as the spec declares it. */
  readonly entry: EntrySpec;
  /** The service behind it. */
  readonly serviceName: string;
  /** Throttling and quota of the front end's API key. */
  readonly usagePlan: apigateway.UsagePlan;
  /** The front end's API key (sent as `x-api-key`; it meters and throttles, it does not authenticate). */
  readonly apiKey: apigateway.IApiKey;
}

/** Props of an EdgeGateway. */
export interface EdgeGatewayProps {
  /** Name of the REST API, e.g. `shop-dev-edge`; it is also the gateway's name in X-Ray. */
  readonly apiName: string;
  /** Stage name, e.g. `dev`. */
  readonly stageName: string;
  /** Identity whose user pool authorizes every route, with the route's scope. */
  readonly identity: PlatformIdentity;
  /** The services behind the gateway. */
  readonly backends: readonly GatewayBackend[];
  /**
   * Steady-state requests per second for the stage.
   * @default 100
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst of requests for the stage.
   * @default 200
   */
  readonly throttleBurstLimit?: number;
  /**
   * Requests one client IP may make in five minutes before WAF blocks it.
   * @default 2000
   */
  readonly rateLimitPerIp?: number;
  /**
   * Key for the access log group.
   * @default - a new key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Access log retention (at least one year).
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Keep logs and key when the stack is deleted.
   * @default false
   */
  readonly retainData?: boolean;
  /**
   * Set the account-wide role API Gateway uses to write execution logs. Only one stack per
   * account and region should do this; turn it off where another stack already does.
   * @default true
   */
  readonly configureAccountLogging?: boolean;
  /**
   * Where a backend's routes are made: their path resources, methods and request models, and for a
   * function the permission to invoke it. Give each service's own scope to spread a large catalog's
   * routes over the services' stacks, which import the API; path resources used by more than one
   * backend are made by the gateway itself, so each is made once.
   * @default - the gateway
   */
  readonly routeScope?: (backend: GatewayBackend) => Construct;
  /**
   * Where the deployment and the stage are made, with the stage's firewall association and the front
   * ends' usage plans. The deployment must follow every route: when routes are made in other stacks,
   * give a scope in a stack of its own (it then depends on theirs).
   * @default - the gateway
   */
  readonly stageScope?: Construct;
}

/**
 * The single entry point: a regional REST API whose routes come from the specs, each behind
 * the Cognito authorizer with the route's scope, checked by a request validator (and the
 * route's body schema), throttled, traced by X-Ray, logged as JSON to an encrypted log group,
 * and shielded by a WAF web ACL with AWS managed rules and a per-IP rate limit.
 *
 * A service whose spec has an `entry` (a BFF) is its front end's own entry: its methods need the
 * front end's API key, whose usage plan throttles and meters them, the stage throttles them with
 * the entry's limits, and the firewall blocks bodies over the entry's size limit on its paths.
 * Every route's integration timeout comes from its service's resilience policies (29 s without).
 *
 * The API, its authorizer, validator, firewall and access logs are made here; each backend's routes
 * where `routeScope` says (by default here too); the deployment and stage where `stageScope` says. A
 * new deployment is made whenever a route, its target or its settings change.
 */
export class EdgeGateway extends Construct {
  /** The REST API (its `deploymentStage` is the stage by name, so routes in other stacks need not reference it). */
  public readonly api: apigateway.RestApi;
  /** The deployment of every route. */
  public readonly deployment: apigateway.Deployment;
  /** The stage every route is served from. */
  public readonly stage: apigateway.Stage;
  /** The Cognito authorizer on every route. */
  public readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  /** The access log group. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The WAF web ACL in front of the stage. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Every method made, keyed by `METHOD /path`. */
  public readonly methods: ReadonlyMap<string, apigateway.Method>;
  /** The front ends' entries, by front end. */
  public readonly entries: ReadonlyMap<FrontEnd, GatewayEntry>;

  constructor(scope: Construct, id: string, props: EdgeGatewayProps) {
    super(scope, id);
    const rate = props.throttleRateLimit ?? 100;
    const burst = props.throttleBurstLimit ?? 200;
    const perIp = props.rateLimitPerIp ?? 2000;
    if (!(rate > 0)) throw ConstructPropError.of(this, 'throttleRateLimit', `is ${rate}; expected a positive number of requests per second`);
    if (!Number.isInteger(burst) || burst < 1) throw ConstructPropError.of(this, 'throttleBurstLimit', `is ${burst}; expected a whole number of requests, at least 1`);
    if (!Number.isInteger(perIp) || perIp < 10) throw ConstructPropError.of(this, 'rateLimitPerIp', `is ${perIp}; WAF rate rules take a whole number from 10`);
    if (!/^[a-zA-Z0-9_-]{1,128}$/.test(props.stageName)) throw ConstructPropError.of(this, 'stageName', `'${props.stageName}' must be 1 to 128 letters, digits, hyphens or underscores`);
    if (props.backends.length === 0 || props.backends.every((b) => (b.spec.routes ?? []).length === 0)) {
      throw ConstructPropError.of(this, 'backends', 'has no routes; a gateway needs at least one service with a route');
    }

    const retain = props.retainData ?? false;
    const key = props.encryptionKey ?? new EncryptionKey(this, 'Key', { description: `Encrypts the access logs of ${props.apiName}`, retain }).key;
    const accessLogs = new EncryptedLogGroup(this, 'AccessLogs', { encryptionKey: key, retention: props.logRetention, retain });
    this.accessLogGroup = accessLogs.logGroup;

    const account = props.configureAccountLogging ?? true ? this.configureAccountLogging() : undefined;

    // Each entry's methods get the entry's own throttling at the stage (the usage plan adds it per API key).
    const entryBackends = props.backends.filter((backend) => backend.spec.entry !== undefined);
    const methodOptions: Record<string, apigateway.MethodDeploymentOptions> = {};
    for (const backend of entryBackends) {
      for (const route of backend.spec.routes ?? []) {
        const parsed = parseRoute(route.route);
        if (typeof parsed === 'string') continue;
        methodOptions[`${parsed.path}/${parsed.method}`] = { throttlingRateLimit: backend.spec.entry!.rateLimit, throttlingBurstLimit: backend.spec.entry!.burstLimit };
      }
    }

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: 'Edge gateway of the microservice platform',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: false,
      // The deployment and stage are made below, where `stageScope` says.
      deploy: false,
    });
    // Routes name the stage in their invoke permissions; by name, so no stack of routes depends on the stage's.
    this.api.deploymentStage = stageByName(this, this.api, props.stageName);
    // Errors from the gateway itself are JSON too, and a bad body names what failed.
    const jsonError = (code: string, message: string) => ({
      'application/json': `{"error":{"code":"${code}","message":${message}}}`,
    });
    this.api.addGatewayResponse('BadBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      templates: jsonError('BAD_REQUEST', '"$context.error.validationErrorString"'),
    });
    this.api.addGatewayResponse('BadParameters', {
      type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
      templates: jsonError('BAD_REQUEST', '"$context.error.validationErrorString"'),
    });
    this.api.addGatewayResponse('Default4xx', { type: apigateway.ResponseType.DEFAULT_4XX, templates: jsonError('CLIENT_ERROR', '$context.error.messageString') });
    this.api.addGatewayResponse('Default5xx', { type: apigateway.ResponseType.DEFAULT_5XX, templates: jsonError('GATEWAY_ERROR', '$context.error.messageString') });

    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.identity.userPool],
      authorizerName: `${props.apiName}-cognito`,
      identitySource: 'method.request.header.Authorization',
    });
    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const stageScope = props.stageScope ?? this;
    const routeScopeOf = (backend: GatewayBackend) => props.routeScope?.(backend) ?? this;
    const ownStack = Stack.of(this);
    const elsewhere = props.backends.map(routeScopeOf).filter((scope) => Stack.of(scope) !== ownStack);
    if (elsewhere.length > 0 && Stack.of(stageScope) === ownStack) {
      throw ConstructPropError.of(this, 'stageScope', `is in the gateway's stack ${ownStack.stackName}, but routes are made in other stacks (${[...new Set(elsewhere.map((scope) => Stack.of(scope).stackName))].slice(0, 3).join(', ')}, ...); the deployment must follow them, so give it a stack of its own`);
    }
    this.deployment = new apigateway.Deployment(stageScope, 'Deployment', { api: this.api, description: `Every route of ${props.apiName}` });
    const sites = new RouteSites(this, sharedPathsOf(props.backends), props.stageName);

    const methods = new Map<string, apigateway.Method>();
    for (const backend of props.backends) {
      if ((backend.handler === undefined) === (backend.loadBalancer === undefined)) {
        throw ConstructPropError.of(this, `backends[${backend.spec.name}]`, 'must have either a handler (Lambda) or a loadBalancer (containers), not both and not neither');
      }
      const site = sites.of(routeScopeOf(backend));
      // The caller's resilience policies say how long its routes may take; without one the REST API's most, 29 s.
      const integrationTimeout = Duration.millis(integrationTimeoutMsOf(backend.spec) ?? 29_000);
      const lambdaIntegration = backend.handler ? new apigateway.LambdaIntegration(backend.handler, { proxy: true, allowTestInvoke: false, timeout: integrationTimeout }) : undefined;
      (backend.spec.routes ?? []).forEach((route, index) => {
        const parsed = parseRoute(route.route);
        if (typeof parsed === 'string') {
          throw ConstructPropError.of(this, `backends[${backend.spec.name}].routes[${index}]`, parsed);
        }
        const integration = lambdaIntegration ?? privateIntegration(parsed.method, parsed.path, parsed.segments, backend.loadBalancer!, integrationTimeout);
        const resource = site.resourceFor(parsed.path);
        const requestParameters: Record<string, boolean> = {};
        for (const segment of parsed.segments) {
          if (segment.startsWith('{')) requestParameters[`method.request.path.${segment.slice(1, -1)}`] = true;
        }
        let requestModels: Record<string, apigateway.IModel> | undefined;
        if (route.requestBodySchema) {
          requestModels = {
            'application/json': site.addModel(`Model-${backend.spec.name}-${index}`, {
              modelName: requestModelNameOf(backend.spec.name, parsed.method, index),
              contentType: 'application/json',
              schema: route.requestBodySchema as apigateway.JsonSchema,
            }),
          };
        }
        const authorizationScopes = [props.identity.scopeFor(scopeNameFor(backend.spec.name, parsed.method))];
        // An entry's routes also need its front end's API key, which its usage plan meters.
        const apiKeyRequired = backend.spec.entry !== undefined;
        const method = resource.addMethod(parsed.method, integration, {
          authorizer: this.authorizer,
          authorizationType: apigateway.AuthorizationType.COGNITO,
          authorizationScopes,
          requestValidator: validator,
          requestParameters,
          requestModels,
          apiKeyRequired,
        });
        if (backend.loadBalancer) {
          // The L2 integration knows only VPC links V1 (to a Network Load Balancer); a V2 link reaches the ALB itself.
          const cfnMethod = method.node.defaultChild as apigateway.CfnMethod;
          cfnMethod.addPropertyOverride('Integration.ConnectionType', 'VPC_LINK');
          cfnMethod.addPropertyOverride('Integration.ConnectionId', backend.loadBalancer.vpcLink.vpcLinkId);
          cfnMethod.addPropertyOverride('Integration.IntegrationTarget', backend.loadBalancer.loadBalancerArn);
        } else {
          Validations.of(method).acknowledge({
            id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
            reason: 'The invoke permission is limited to API Gateway calling this method of this API stage: its SourceArn is an Fn::Join of the API and stage IDs, which the guard rule cannot read (it accepts only literal strings or plain references).',
          });
        }
        // The API lists every method, wherever it is made (it refuses to synthesize without any).
        if (site.api !== this.api) this.api.methods.push(method);
        // A new deployment whenever a route, what answers it or how it is guarded changes.
        this.deployment.node.addDependency(method);
        this.deployment.addToLogicalId({
          route: route.route,
          service: backend.spec.name,
          target: backend.handler ? backend.handler.functionArn : { ...backend.loadBalancer, vpcLink: backend.loadBalancer!.vpcLink.vpcLinkId },
          timeoutMs: integrationTimeout.toMilliseconds(),
          authorizationScopes,
          requestParameters,
          requestBodySchema: route.requestBodySchema,
          apiKeyRequired,
        });
        methods.set(route.route, method);
      });
    }
    this.methods = methods;

    this.stage = new apigateway.Stage(stageScope, 'Stage', {
      deployment: this.deployment,
      stageName: props.stageName,
      tracingEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.INFO,
      dataTraceEnabled: false,
      metricsEnabled: true,
      throttlingRateLimit: rate,
      throttlingBurstLimit: burst,
      cacheDataEncrypted: true,
      methodOptions,
      accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          traceId: '$context.xrayTraceId',
          ip: '$context.identity.sourceIp',
          user: '$context.authorizer.claims.sub',
          method: '$context.httpMethod',
          resource: '$context.resourcePath',
          path: '$context.path',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationLatencyMs: '$context.integrationLatency',
          error: '$context.error.message',
          requestTime: '$context.requestTime',
        }),
      ),
    });
    // Execution logging needs the account's CloudWatch role in place first.
    if (account) this.stage.node.addDependency(account);
    this.entries = this.createEntries(stageScope, props.apiName, entryBackends, methods);

    this.webAcl = this.createWebAcl(props.apiName, perIp, props.stageName, entryBackends.map((backend) => backend.spec.entry!));
    new wafv2.CfnWebACLAssociation(stageScope, 'WafAssociation', {
      resourceArn: this.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** The invoke URL of the stage. */
  public get url(): string {
    return this.stage.urlForPath();
  }

  /** A usage plan (throttle and quota) and an API key per entry, on the entry's methods only. */
  private createEntries(scope: Construct, apiName: string, backends: readonly GatewayBackend[], methods: ReadonlyMap<string, apigateway.Method>): Map<FrontEnd, GatewayEntry> {
    const entries = new Map<FrontEnd, GatewayEntry>();
    for (const backend of backends) {
      const entry = backend.spec.entry!;
      const throttle = { rateLimit: entry.rateLimit, burstLimit: entry.burstLimit };
      const usagePlan = new apigateway.UsagePlan(scope, `${entry.frontEnd}Plan`, {
        name: `${apiName}-${entry.frontEnd}`,
        description: `The ${entry.frontEnd} front end: ${backend.spec.name} under ${entry.basePath}`,
        throttle,
        quota: { limit: entry.quota.limit, period: apigateway.Period[entry.quota.period] },
        apiStages: [{
          api: this.api,
          stage: this.stage,
          throttle: (backend.spec.routes ?? []).map((route) => ({ method: methods.get(route.route)!, throttle })),
        }],
      });
      // The key stays with the API (its value survives a move of the stage); the usage plan ties it to the stage.
      const apiKey = new apigateway.ApiKey(this.api, `${entry.frontEnd}Key`, {
        apiKeyName: `${apiName}-${entry.frontEnd}`,
        description: `Meters the ${entry.frontEnd} front end against its usage plan`,
      });
      usagePlan.addApiKey(apiKey);
      entries.set(entry.frontEnd, { entry, serviceName: backend.spec.name, usagePlan, apiKey });
    }
    return entries;
  }

  private createWebAcl(apiName: string, perIp: number, stageName: string, entries: readonly EntrySpec[]): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const managed = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${apiName}-waf`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${apiName}-waf`),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: perIp, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed('AWSManagedRulesCommonRuleSet', 1),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
        // Each entry's own body size limit, on the paths under its base path (the stage is the first segment).
        ...entries.map((entry, index): wafv2.CfnWebACL.RuleProperty => ({
          name: `${entry.frontEnd}-body-size`,
          priority: 10 + index,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                { byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'STARTS_WITH', searchString: `/${stageName}${entry.basePath}/`, textTransformations: [{ priority: 0, type: 'NONE' }] } },
                { sizeConstraintStatement: { fieldToMatch: { body: { oversizeHandling: 'MATCH' } }, comparisonOperator: 'GT', size: entry.maxBodyBytes, textTransformations: [{ priority: 0, type: 'NONE' }] } },
              ],
            },
          },
          visibilityConfig: visibility(`${entry.frontEnd}-body-size`),
        })),
      ],
    });
  }

  private configureAccountLogging(): apigateway.CfnAccount {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'AccountLoggingRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write execution logs in this account and region',
    });
    const executionLogs = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'API-Gateway-Execution-Logs_*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
      resources: [executionLogs],
    }));
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:API-Gateway-Execution-Logs_*]',
      reason: 'API Gateway names its execution log groups API-Gateway-Execution-Logs_<api id>/<stage> when it creates them, so the role can only be scoped to that name prefix.',
    });
    const account = new apigateway.CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.node.addDependency(role);
    return account;
  }
}

/**
 * An HTTP proxy integration to the same path on a private load balancer; path parameters are
 * passed on by name. Connection settings are set on the method (see the VPC link V2 override).
 */
function privateIntegration(method: string, routePath: string, segments: readonly string[], target: PrivateLoadBalancerTarget, timeout: Duration): apigateway.Integration {
  const requestParameters: Record<string, string> = {};
  for (const segment of segments) {
    if (segment.startsWith('{')) {
      const name = segment.slice(1, -1);
      requestParameters[`integration.request.path.${name}`] = `method.request.path.${name}`;
    }
  }
  return new apigateway.Integration({
    type: apigateway.IntegrationType.HTTP_PROXY,
    integrationHttpMethod: method,
    uri: `${target.url}${routePath}`,
    options: { requestParameters, timeout },
  });
}

/**
 * The stage by its name, for what only reads its name and URL (a method's invoke ARN, the API's URL). The
 * API's `deploymentStage` is typed as a Stage, but those read only what an imported stage has.
 */
function stageByName(scope: Construct, api: apigateway.IRestApi, stageName: string): apigateway.Stage {
  return apigateway.Stage.fromStageAttributes(scope, 'StageByName', { restApi: api, stageName }) as apigateway.Stage;
}

/** Every path (e.g. `/customers/{customerId}`) that the routes of more than one backend pass through. */
function sharedPathsOf(backends: readonly GatewayBackend[]): ReadonlySet<string> {
  const users = new Map<string, Set<string>>();
  for (const backend of backends) {
    for (const route of backend.spec.routes ?? []) {
      const parsed = parseRoute(route.route);
      if (typeof parsed === 'string') continue;
      parsed.segments.forEach((_segment, index) => {
        const path = `/${parsed.segments.slice(0, index + 1).join('/')}`;
        users.set(path, (users.get(path) ?? new Set()).add(backend.spec.name));
      });
    }
  }
  return new Set([...users].filter(([, names]) => names.size > 1).map(([path]) => path));
}

/** Where routes are made: in the gateway's stack on the API itself, elsewhere on the API imported into that scope. */
interface RouteSite {
  /** The API the site's methods are added to. */
  readonly api: apigateway.IRestApi;
  /** The resource of a full path: shared paths are the gateway's, the rest the site's own. */
  resourceFor(path: string): apigateway.IResource;
  /** A request model, made at the site. */
  addModel(id: string, options: apigateway.ModelOptions): apigateway.IModel;
}

/** The route site of each scope, made on first use. */
class RouteSites {
  private readonly sites = new Map<Construct, RouteSite>();

  constructor(private readonly gateway: EdgeGateway, private readonly sharedPaths: ReadonlySet<string>, private readonly stageName: string) {}

  public of(scope: Construct): RouteSite {
    let site = this.sites.get(scope);
    if (site === undefined) {
      site = Stack.of(scope) === Stack.of(this.gateway) ? this.ownSite() : this.importedSite(scope);
      this.sites.set(scope, site);
    }
    return site;
  }

  private ownSite(): RouteSite {
    const api = this.gateway.api;
    return { api, resourceFor: (path) => api.root.resourceForPath(path), addModel: (id, options) => api.addModel(id, options) };
  }

  /** The API imported under `GatewayRoutes` in the scope; paths below the deepest shared one are made there. */
  private importedSite(scope: Construct): RouteSite {
    const gatewayApi = this.gateway.api;
    const routes = new Construct(scope, 'GatewayRoutes');
    const api = apigateway.RestApi.fromRestApiAttributes(routes, 'Api', { restApiId: gatewayApi.restApiId, rootResourceId: gatewayApi.restApiRootResourceId, restApiName: gatewayApi.restApiName });
    // Invoke permissions name the stage: by name, as the gateway's own do.
    api.deploymentStage = stageByName(routes, api, this.stageName);
    const sharedNodes = new Map<string, apigateway.IResource>();
    const sharedNode = (path: string) => {
      let node = sharedNodes.get(path);
      if (node === undefined) {
        node = apigateway.Resource.fromResourceAttributes(routes, `Shared${path.replace(/\//g, '.')}`, { restApi: api, path, resourceId: gatewayApi.root.resourceForPath(path).resourceId });
        sharedNodes.set(path, node);
      }
      return node;
    };
    return {
      api,
      resourceFor: (path) => {
        const segments = path.split('/').filter((segment) => segment !== '');
        let depth = segments.length;
        while (depth > 0 && !this.sharedPaths.has(`/${segments.slice(0, depth).join('/')}`)) depth--;
        const base = depth === 0 ? api.root : sharedNode(`/${segments.slice(0, depth).join('/')}`);
        return depth === segments.length ? base : base.resourceForPath(segments.slice(depth).join('/'));
      },
      addModel: (id, options) => new apigateway.Model(routes, id, { restApi: api, ...options }),
    };
  }
}
