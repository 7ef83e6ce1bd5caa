import { Aws, Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ConstructPropError } from '../model/errors';
import { hardenedUserPool } from './hardened-user-pool';
import { FRONT_ENDS, FrontEnd, ServiceSpec, parseRoute, scopeNameFor } from '../model/service-spec';

/** Props of a PlatformIdentity. */
export interface PlatformIdentityProps {
  /** Platform name; the resource server identifier and part of the sign-in domain. */
  readonly platformName: string;
  /** Environment name, part of the sign-in domain. */
  readonly environmentName: string;
  /** The services whose routes define the scopes, and which front end gets which. */
  readonly services: readonly ServiceSpec[];
  /**
   * Where each front end's sign-in returns to.
   * @default - web: http://localhost:3000/callback, mobile: com.example.shop://callback
   */
  readonly callbackUrls?: Partial<Record<FrontEnd, string[]>>;
  /**
   * Cognito Plus tier with threat protection (compromised credentials, adaptive auth) enforced.
   * @default true
   */
  readonly threatProtection?: boolean;
  /**
   * Keep the user pool when the stack is deleted, with deletion protection on.
   * @default false
   */
  readonly retain?: boolean;
}

const DEFAULT_CALLBACKS: Record<FrontEnd, string[]> = {
  web: ['http://localhost:3000/callback'],
  mobile: ['com.example.shop://callback'],
};

/**
 * Identity for the platform: a Cognito user pool with MFA and a strong password policy, a
 * resource server whose scopes are derived from the routes (`<service>.read` for GET,
 * `<service>.write` otherwise), and one app client per front end given exactly the scopes of
 * the routes it exposes.
 */
export class PlatformIdentity extends Construct {
  /** The user pool. */
  public readonly userPool: cognito.UserPool;
  /** The resource server that owns the API scopes. */
  public readonly resourceServer: cognito.UserPoolResourceServer;
  /** One app client per front end. */
  public readonly clients: Readonly<Record<FrontEnd, cognito.UserPoolClient>>;
  /** The hosted sign-in domain. */
  public readonly domain: cognito.UserPoolDomain;
  private readonly scopes = new Map<string, cognito.ResourceServerScope>();

  constructor(scope: Construct, id: string, props: PlatformIdentityProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(props.platformName)) {
      throw ConstructPropError.of(this, 'platformName', `'${props.platformName}' must be lowercase letters, digits and hyphens`);
    }
    for (const [frontEnd, urls] of Object.entries(props.callbackUrls ?? {})) {
      if (!FRONT_ENDS.includes(frontEnd as FrontEnd)) {
        throw ConstructPropError.of(this, `callbackUrls.${frontEnd}`, `names no front end; expected one of ${FRONT_ENDS.join(', ')}`);
      }
      if (!Array.isArray(urls) || urls.length === 0) {
        throw ConstructPropError.of(this, `callbackUrls.${frontEnd}`, 'must list at least one URL');
      }
    }
    const threatProtection = props.threatProtection ?? true;

    this.userPool = hardenedUserPool(this, 'UserPool', {
      userPoolName: `${props.platformName}-${props.environmentName}`,
      threatProtection,
      retain: props.retain ?? false,
      minPasswordLength: 12,
      tempPasswordDays: 3,
    });

    // Scopes, and which front end needs each, straight from the routes.
    const scopesByFrontEnd = new Map<FrontEnd, Set<string>>(FRONT_ENDS.map((f) => [f, new Set<string>()]));
    for (const spec of props.services) {
      for (const route of spec.routes ?? []) {
        const parsed = parseRoute(route.route);
        if (typeof parsed === 'string') throw ConstructPropError.of(this, 'services', `${spec.name}: ${parsed}`);
        const name = scopeNameFor(spec.name, parsed.method);
        if (!this.scopes.has(name)) {
          this.scopes.set(name, new cognito.ResourceServerScope({ scopeName: name, scopeDescription: `${parsed.method === 'GET' ? 'Read' : 'Change'} ${spec.name}` }));
        }
        for (const frontEnd of route.frontEnds ?? FRONT_ENDS) scopesByFrontEnd.get(frontEnd)!.add(name);
      }
    }
    this.resourceServer = this.userPool.addResourceServer('Api', {
      identifier: props.platformName,
      userPoolResourceServerName: `${props.platformName} API`,
      scopes: [...this.scopes.values()],
    });

    const clients = {} as Record<FrontEnd, cognito.UserPoolClient>;
    for (const frontEnd of FRONT_ENDS) {
      const apiScopes = [...scopesByFrontEnd.get(frontEnd)!].map((name) => cognito.OAuthScope.resourceServer(this.resourceServer, this.scopes.get(name)!));
      clients[frontEnd] = this.userPool.addClient(`${frontEnd}-client`, {
        userPoolClientName: `${props.platformName}-${frontEnd}`,
        generateSecret: false,
        authFlows: { userSrp: true },
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.days(frontEnd === 'mobile' ? 30 : 1),
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, ...apiScopes],
          callbackUrls: props.callbackUrls?.[frontEnd] ?? DEFAULT_CALLBACKS[frontEnd],
        },
      });
    }
    this.clients = clients;

    // The prefix is made unique per account at deploy time.
    this.domain = this.userPool.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: `${props.platformName}-${props.environmentName}-${Aws.ACCOUNT_ID}` },
    });
  }

  /** The full OAuth scope (`<resource server>/<service>.<read|write>`) an authorizer demands. */
  public scopeFor(scopeName: string): string {
    const scope = this.scopes.get(scopeName);
    if (scope === undefined) {
      throw ConstructPropError.of(this, 'services', `declares no route that needs the scope '${scopeName}'`);
    }
    return cognito.OAuthScope.resourceServer(this.resourceServer, scope).scopeName;
  }
}
