/**
 * The physical names the constructs derive from the platform name, the profile (environment) name
 * and the service and saga names, with the limits AWS puts on each. The validation pass checks
 * them before any resource is made, and blames what the user can change: the profile's `name` for
 * names made from `<platform>-<environment>` alone, the service's or saga's `name` for the rest.
 *
 * Names made from `<platform>-<environment>` are checked here ({@link platformNameProblems});
 * names made from it and a service name by the service's runtime rules ({@link checkPhysicalName}
 * with `context.namePrefix`).
 */
import type { ProfileProblem, PlatformProblem } from './errors';
import type { Report } from './spec-fields';
import type { ServiceSpecBase } from './service-spec';

/** What AWS allows for one kind of name. */
export interface NameLimit {
  /** What the name names, e.g. `log domain name`. */
  readonly what: string;
  /** Who sets the limit, e.g. `OpenSearch`. */
  readonly owner: string;
  /** @default 1 */
  readonly min?: number;
  readonly max: number;
  /** The characters allowed, when the parts could break them. @default - any */
  readonly pattern?: RegExp;
  /** The pattern in words, for the message. */
  readonly patternText?: string;
}

/** Stands for the 12-digit account ID in names the deploy completes (the Cognito domain prefixes); it is 12 characters long too. */
export const ACCOUNT_ID_PLACEHOLDER = '<account-id>';

/**
 * Why `name` breaks the limit (`makes the log domain name 'x' 29 characters long; OpenSearch
 * allows 3 to 28`), or undefined when it fits.
 */
export function physicalNameProblem(name: string, limit: NameLimit): string | undefined {
  const min = limit.min ?? 1;
  if (name.length < min || name.length > limit.max) {
    const allowed = min > 1 ? `${min} to ${limit.max}` : `at most ${limit.max}`;
    return `makes the ${limit.what} '${name}' ${name.length} characters long; ${limit.owner} allows ${allowed}`;
  }
  if (limit.pattern !== undefined && !limit.pattern.test(name.replace(ACCOUNT_ID_PLACEHOLDER, '000000000000'))) {
    return `makes the ${limit.what} '${name}', which ${limit.owner} refuses: it must be ${limit.patternText ?? limit.pattern.source}`;
  }
  return undefined;
}

/** Reports on the spec's `name` when the name it makes breaks the limit. */
export function checkPhysicalName(name: string, limit: NameLimit, report: Report): void {
  const problem = physicalNameProblem(name, limit);
  if (problem !== undefined) report('name', problem);
}

/** A load balancer's name (its target groups' too). */
export const LOAD_BALANCER_NAME: NameLimit = {
  what: 'load balancer name',
  owner: 'Elastic Load Balancing',
  max: 32,
  pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
  patternText: "letters, digits and hyphens, not starting with 'internal-'",
};

const COGNITO_DOMAIN: Omit<NameLimit, 'what'> = {
  owner: 'Cognito',
  max: 63,
  pattern: /^(?!.*(?:aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  patternText: "lowercase letters, digits and hyphens, without the reserved words 'aws', 'amazon' and 'cognito'",
};

/** What decides whether a platform-level resource is made. */
export interface PlatformFacts {
  /** The runtimes the catalog's services use. */
  readonly runtimes: ReadonlySet<string>;
  /** Some service has routes (the edge gateway is made). */
  readonly routes: boolean;
  /** The runtimes of the services that have routes (whose load balancers the gateway may reach through its VPC link). */
  readonly routedRuntimes: ReadonlySet<string>;
  /** Some service publishes or consumes events, or there are sagas (the bus is made). */
  readonly events: boolean;
  /** Some service has feature flags (AppConfig is made). */
  readonly featureFlags: boolean;
}

interface DerivedName extends NameLimit {
  /** The name, from `<platform>-<environment>` (`prefix`) and its parts. */
  name(parts: { prefix: string; platformName: string; environmentName: string }): string;
  /** Made only when this holds. @default - always made */
  when?(facts: PlatformFacts): boolean;
}

/** Every name made from the platform and profile names alone, with its limit (see the constructs named). */
export const PLATFORM_NAMES: readonly DerivedName[] = [
  { what: 'log domain name', owner: 'OpenSearch', min: 3, max: 28, pattern: /^[a-z][a-z0-9-]*$/, patternText: 'lowercase letters, digits and hyphens, starting with a letter', name: (p) => `${p.prefix}-logs` },
  { what: 'log delivery stream name', owner: 'Firehose', max: 64, name: (p) => `${p.prefix}-logs` },
  { what: 'log dashboards sign-in domain prefix', ...COGNITO_DOMAIN, name: (p) => `${p.prefix}-logs-${ACCOUNT_ID_PLACEHOLDER}` },
  { what: 'log dashboards operators user pool name', owner: 'Cognito', max: 128, name: (p) => `${p.prefix}-logs-operators` },
  { what: 'user pool name', owner: 'Cognito', max: 128, name: (p) => p.prefix },
  { what: 'sign-in domain prefix', ...COGNITO_DOMAIN, name: (p) => `${p.prefix}-${ACCOUNT_ID_PLACEHOLDER}` },
  { what: 'X-Ray sampling rule name', owner: 'X-Ray', max: 32, name: (p) => `${p.prefix}-services` },
  { what: 'X-Ray group name', owner: 'X-Ray', max: 32, name: (p) => p.prefix },
  { what: 'alert topic name', owner: 'SNS', max: 256, name: (p) => `${p.prefix}-alerts` },
  { what: 'overview dashboard name', owner: 'CloudWatch', max: 255, name: (p) => `${p.prefix}-overview` },
  { what: 'HTTP namespace name', owner: 'Cloud Map', max: 1024, name: (p) => p.prefix },
  { what: 'DNS namespace name', owner: 'Cloud Map', max: 253, pattern: /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+internal$/, patternText: 'dot-separated labels of at most 63 lowercase letters, digits and hyphens', name: (p) => `${p.environmentName}.${p.platformName}.internal` },
  { what: 'event bus name', owner: 'EventBridge', max: 256, name: (p) => `${p.prefix}-events`, when: (f) => f.events },
  { what: 'gateway stage name', owner: 'API Gateway', max: 128, pattern: /^[A-Za-z0-9_-]+$/, patternText: 'letters, digits, hyphens and underscores', name: (p) => p.environmentName, when: (f) => f.routes },
  { what: 'web ACL name', owner: 'WAF', max: 128, name: (p) => `${p.prefix}-edge-waf`, when: (f) => f.routes },
  { what: 'AppConfig application name', owner: 'AppConfig', max: 64, name: (p) => p.prefix, when: (f) => f.featureFlags },
  { what: 'AppConfig deployment strategy name', owner: 'AppConfig', max: 64, name: (p) => `${p.prefix}-flags-gradual`, when: (f) => f.featureFlags },
  { what: 'ECS cluster name', owner: 'ECS', max: 255, name: (p) => p.prefix, when: (f) => f.runtimes.has('fargate') },
  { what: 'gateway VPC link name', owner: 'API Gateway', max: 128, name: (p) => `${p.prefix}-gateway`, when: (f) => f.routedRuntimes.has('fargate') || f.routedRuntimes.has('kubernetes') },
  { what: 'EKS cluster name', owner: 'EKS', max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/, patternText: 'letters, digits, hyphens and underscores, starting with a letter or digit', name: (p) => p.prefix, when: (f) => f.runtimes.has('kubernetes') },
  { ...LOAD_BALANCER_NAME, what: 'load balancer name of the kubernetes services', name: (p) => `${p.prefix}-eks`, when: (f) => f.routedRuntimes.has('kubernetes') },
];

/** The name a saga's state machine gets (`<platform>-<environment>-<saga>`), and its limit. */
export const STATE_MACHINE_NAME: NameLimit = { what: 'state machine name', owner: 'Step Functions', max: 80 };

/** A platform name: lowercase letters, digits and hyphens, 1 to 16, starting with a letter (it heads every name, path and scope). */
export const PLATFORM_NAME = /^[a-z][a-z0-9-]{0,15}$/;
/** A profile (environment) name: a DNS label (it is one in the DNS namespace) of lowercase letters, digits and hyphens. */
export const PROFILE_NAME = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The facts of a catalog that decide which platform-level resources are made. */
export function platformFactsOf(services: readonly ServiceSpecBase[], sagaCount: number): PlatformFacts {
  const specs = services.filter((spec) => typeof spec === 'object' && spec !== null);
  const routed = specs.filter((spec) => Array.isArray(spec.routes) && spec.routes.length > 0);
  return {
    runtimes: new Set(specs.map((spec) => spec.runtime)),
    routes: routed.length > 0,
    routedRuntimes: new Set(routed.map((spec) => spec.runtime)),
    events: sagaCount > 0 || specs.some((spec) => (spec.events?.publishes?.length ?? 0) > 0 || (spec.events?.consumes?.length ?? 0) > 0),
    featureFlags: specs.some((spec) => spec.featureFlags !== undefined),
  };
}

/**
 * The problems of the platform name and the profile name: each on its own, then every name made
 * from them that breaks its limit (blamed on the profile's `name`; the platform name is held to
 * 16 characters on its own).
 */
export function platformNameProblems(platformName: unknown, profileName: unknown, facts: PlatformFacts): (ProfileProblem | PlatformProblem)[] {
  const problems: (ProfileProblem | PlatformProblem)[] = [];
  const platformOk = typeof platformName === 'string' && PLATFORM_NAME.test(platformName);
  if (!platformOk) {
    problems.push({ platform: String(platformName), field: 'platformName', message: `'${String(platformName)}' must be 1 to 16 lowercase letters, digits or hyphens, starting with a letter` });
  }
  const profileOk = typeof profileName === 'string' && PROFILE_NAME.test(profileName);
  if (!profileOk) {
    problems.push({ profile: String(profileName), field: 'name', message: `'${String(profileName)}' must be 1 to 63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (it names the environment in paths, DNS and the gateway stage)` });
  }
  if (!platformOk || !profileOk) return problems;
  const parts = { prefix: `${platformName}-${profileName}`, platformName: platformName as string, environmentName: profileName as string };
  for (const derived of PLATFORM_NAMES) {
    if (derived.when !== undefined && !derived.when(facts)) continue;
    const problem = physicalNameProblem(derived.name(parts), derived);
    if (problem !== undefined) problems.push({ profile: parts.environmentName, field: 'name', message: `with platform '${parts.platformName}', ${problem}` });
  }
  return problems;
}
