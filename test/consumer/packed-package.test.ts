import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

// The package as its users get it: packed from this checkout (the pack builds it), installed from the
// tarball into two apps outside the repository, one TypeScript and one plain JavaScript, each with a
// catalog of its own and nothing else but aws-cdk-lib, constructs and the CDK CLI. Each registers
// the gates from the package, synthesizes through the CDK CLI with no Docker and no credentials, and
// bundles a Lambda handler that imports the runtime entry. Installs come from npm's cache when it
// holds the versions (it does after `npm ci`), so this needs the registry only on a cold cache.
jest.setTimeout(900_000);

const execFileAsync = promisify(execFile);
/** Runs a command; a failure names it with what it printed. */
async function run(command: string, args: string[], options: Parameters<typeof execFileAsync>[2] & { cwd: string }): Promise<{ stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { maxBuffer: 64 * 1024 * 1024, ...options, encoding: 'utf8' });
    return { stdout: String(stdout), stderr: String(stderr) };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed in ${options.cwd}:\n${String(failed.stdout ?? '').slice(-4_000)}\n${String(failed.stderr ?? '').slice(-4_000)}`);
  }
}
const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const versionOf = (name: string): string => manifest.devDependencies[name] ?? manifest.dependencies[name];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumers-'));
let tarball: string;
let packed: string[];

/** What every consumer's handler does with the runtime entry: one route, a JSON answer, a 400 for a bad id. */
const HANDLER_BODY = `
const routes = {
  'GET /quotes/{id}': async (event) => {
    const id = event.pathParameters?.id ?? '';
    if (!/^[a-z0-9-]{1,32}$/.test(id)) return badRequest('the quote id is malformed', [{ path: 'id', message: 'must be 1 to 32 lowercase letters, digits or dashes' }]);
    return ok({ id, amountMinor: 1250, currency: 'EUR' });
  },
};
`;

const PINNED_IMAGE = 'public.ecr.aws/docker/library/nginx@sha256:' + 'a'.repeat(64);

/** The consumer's catalog, as source (the same object in TypeScript and JavaScript). */
function catalogSource(handlerFile: string, platform: string): string {
  return `[
  {
    name: '${platform}-quotes',
    description: 'Quotes prices for the ${platform} shop',
    runtime: 'lambda',
    routes: [{ route: 'GET /quotes/{id}' }],
    config: { currency: 'EUR' },
    table: { partitionKey: 'id' },
    events: { publishes: ['QuoteIssued'] },
    lambda: { entry: path.join(__dirname, '${handlerFile}'), memoryMiB: 256, timeoutSeconds: 10 },
  },
  {
    name: '${platform}-ledger',
    description: 'Books the quotes the ${platform} shop issues',
    runtime: 'fargate',
    routes: [{ route: 'GET /ledger/{id}' }],
    events: { consumes: ['QuoteIssued'] },
    scaling: { min: 1, max: 2 },
    container: { port: 8080, cpu: 256, memoryMiB: 512, healthCheckPath: '/health', dockerfileDirectory: path.join(__dirname, 'ledger'), image: '${PINNED_IMAGE}' },
  },
]`;
}

const CONSUMERS = {
  ts: {
    platform: 'acme',
    files: {
      'handler.ts': `import { type Routes, badRequest, handleHttp, ok, routeRequests } from 'msa-platform-blueprint/runtime';
${HANDLER_BODY.replace('const routes = {', 'const routes: Routes = {')}
const route = routeRequests(routes);
export const handler = handleHttp(route);
`,
      'app.ts': `import * as path from 'node:path';
import { type ServiceSpec, PROFILES, addPlatformStacks } from 'msa-platform-blueprint';
import { newGatedApp } from 'msa-platform-blueprint/gates';

const services: ServiceSpec[] = ${catalogSource('handler.ts', 'acme')};
const app = newGatedApp();
addPlatformStacks(app, { platformName: 'acme', profile: PROFILES.dev, services });
app.synth();
`,
      // The toolchain (the compiler and Node's types) is the repository's, so the app itself declares only what it runs with.
      'tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, typeRoots: [path.join(root, 'node_modules', '@types')], types: ['node'], outDir: '.' },
        files: ['app.ts', 'handler.ts'],
      }),
    },
    app: 'node app.js',
  },
  js: {
    platform: 'zeta',
    files: {
      'handler.js': `const { badRequest, handleHttp, ok, routeRequests } = require('msa-platform-blueprint/runtime');
${HANDLER_BODY}
const route = routeRequests(routes);
exports.handler = handleHttp(route);
`,
      'app.js': `const path = require('node:path');
const { PROFILES, addPlatformStacks } = require('msa-platform-blueprint');
const { newGatedApp } = require('msa-platform-blueprint/gates');

const services = ${catalogSource('handler.js', 'zeta')};
const app = newGatedApp();
addPlatformStacks(app, { platformName: 'zeta', profile: PROFILES.dev, services });
app.synth();
`,
    },
    app: 'node app.js',
  },
} as const;

type ConsumerName = keyof typeof CONSUMERS;
const dirOf = (name: ConsumerName) => path.join(work, `${name}-consumer`);
const synthesized = new Map<ConsumerName, { stdout: string; stderr: string }>();

async function prepareConsumer(name: ConsumerName): Promise<void> {
  const dir = dirOf(name);
  fs.mkdirSync(path.join(dir, 'ledger'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ledger', 'Dockerfile'), 'FROM scratch\n');
  for (const [file, text] of Object.entries(CONSUMERS[name].files)) fs.writeFileSync(path.join(dir, file), text);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name: `${name}-consumer`,
      private: true,
      dependencies: { 'msa-platform-blueprint': `file:${tarball}`, 'aws-cdk-lib': versionOf('aws-cdk-lib'), constructs: versionOf('constructs') },
      devDependencies: { 'aws-cdk': versionOf('aws-cdk') },
    }),
  );
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  if (name === 'ts') {
    // The consumer's TypeScript is checked against the package's declarations (the repository's compiler, as a consumer's own would be).
    await run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir });
  }
  const cdk = path.join(dir, 'node_modules', '.bin', 'cdk');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', CDK_DISABLE_VERSION_CHECK: '1' };
  synthesized.set(name, await run(cdk, ['synth', '--app', CONSUMERS[name].app, '--output', 'cdk.out', '--quiet', '--no-notices', '--no-version-reporting'], { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 }));
}

beforeAll(async () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] }));
  tarball = path.join(work, pack.filename);
  packed = pack.files.map((f: { path: string }) => f.path);
  await Promise.all((Object.keys(CONSUMERS) as ConsumerName[]).map(prepareConsumer));
});

afterAll(() => {
  if (process.env.KEEP_CONSUMERS === undefined) fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  else console.log(`consumers kept in ${work}`);
});

describe('the tarball', () => {
  test('holds the built entries and their declarations', () => {
    for (const entry of ['constructs', 'runtime', 'runtime/container', 'constructs/gates', 'constructs/pulumi']) {
      expect(packed).toContain(`dist/lib/${entry}/index.js`);
      expect(packed).toContain(`dist/lib/${entry}/index.d.ts`);
    }
    // The handler of a construct the library bundles at the consumer's synth.
    expect(packed).toContain('dist/lib/constructs/observability/log-domain-setup/handler.js');
  });

  test('holds no tests, no demo and no sources', () => {
    expect(packed.filter((file) => /^(test|services|stacks|pipelines|pulumi|\.ci|docs)\//.test(file) || /\.test\.|__snapshots__|\.snap$/.test(file))).toEqual([]);
    expect(packed.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((file) => !file.startsWith('dist/lib/')).sort()).toEqual(['README.md', 'package.json']);
  });

  test('its manifest is a library: publishable, with peers for the CDK and optional peers for Pulumi and the container runtime', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.peerDependencies).toMatchObject({ 'aws-cdk-lib': expect.stringMatching(/^\^2\./), constructs: expect.stringMatching(/^\^10\./) });
    expect(manifest.dependencies['aws-cdk-lib']).toBeUndefined();
    expect(manifest.dependencies.constructs).toBeUndefined();
    expect(manifest.dependencies.esbuild).toBeDefined();
    for (const optional of ['@pulumi/pulumi', '@pulumi/kubernetes', '@opentelemetry/api', '@aws-sdk/client-eventbridge']) {
      expect(manifest.dependencies[optional]).toBeUndefined();
      expect(manifest.peerDependenciesMeta[optional]).toEqual({ optional: true });
    }
  });
});

describe.each(Object.keys(CONSUMERS) as ConsumerName[])('the %s consumer', (name) => {
  const { platform } = CONSUMERS[name];
  const dir = () => dirOf(name);
  const templates = () =>
    fs
      .readdirSync(path.join(dir(), 'cdk.out'))
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => ({ stack: file.replace('.template.json', ''), template: JSON.parse(fs.readFileSync(path.join(dir(), 'cdk.out', file), 'utf8')) }));

  test('installs nothing besides the package, aws-cdk-lib, constructs and the CDK CLI, and neither Pulumi nor OpenTelemetry', () => {
    const own = JSON.parse(fs.readFileSync(path.join(dir(), 'package.json'), 'utf8'));
    expect(Object.keys({ ...own.dependencies, ...own.devDependencies }).sort()).toEqual(['aws-cdk', 'aws-cdk-lib', 'constructs', 'msa-platform-blueprint']);
    for (const absent of ['@pulumi/pulumi', '@opentelemetry/api']) expect(fs.existsSync(path.join(dir(), 'node_modules', absent))).toBe(false);
    // One aws-cdk-lib: the consumer's, which the package's peers share.
    expect(fs.existsSync(path.join(dir(), 'node_modules', 'msa-platform-blueprint', 'node_modules', 'aws-cdk-lib'))).toBe(false);
  });

  test('synthesizes its own catalog through the gates from the package with no open finding', () => {
    const { stdout, stderr } = synthesized.get(name)!;
    expect(`${stdout}\n${stderr}`).not.toMatch(/Validation failed/i);
    // The report, when written, lists only acknowledged findings (each with its reason): none is open.
    const report = path.join(dir(), 'cdk.out', 'validation-report.json');
    const plugins = fs.existsSync(report) ? (JSON.parse(fs.readFileSync(report, 'utf8')).pluginReports as { pluginName: string; conclusion: string; violations: unknown[] }[]) : [];
    expect(plugins.filter((p) => p.conclusion !== 'success' || p.violations.length > 0)).toEqual([]);
    const stacks = templates().map((t) => t.stack).sort();
    expect(stacks).toEqual(expect.arrayContaining([`${platform}-dev-network`, `${platform}-dev-shared`, `${platform}-dev-service-${platform}-quotes`, `${platform}-dev-service-${platform}-ledger`, `${platform}-dev-edge`]));
    const edge = templates().find((t) => t.stack === `${platform}-dev-edge`)!.template;
    const types = new Set(Object.values<{ Type: string }>(edge.Resources).map((r) => r.Type));
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Authorizer', 'AWS::WAFv2::WebACL']) expect([...types]).toContain(type);
  });

  test('its services are wired: the quotes route behind the Cognito authorizer, its events reach the ledger queue, the ledger runs its pinned image', () => {
    const all = templates();
    const quotes = all.find((t) => t.stack === `${platform}-dev-service-${platform}-quotes`)!.template;
    const ledger = all.find((t) => t.stack === `${platform}-dev-service-${platform}-ledger`)!.template;
    const resources = (template: { Resources: Record<string, { Type: string; Properties: any }> }, type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    const getQuote = resources(quotes, 'AWS::ApiGateway::Method').find((m) => m.Properties.HttpMethod === 'GET');
    expect(getQuote?.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
    const rules = resources(ledger, 'AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.EventPattern['detail-type'])).toEqual([['QuoteIssued']]);
    const containers = resources(ledger, 'AWS::ECS::TaskDefinition').flatMap((t) => t.Properties.ContainerDefinitions);
    expect(containers.map((c: { Image: unknown }) => c.Image)).toContain(PINNED_IMAGE);
  });

  test('bundles its handler with esbuild from the package (no Docker), and the bundle answers through the runtime entry', async () => {
    const assets = fs.readdirSync(path.join(dir(), 'cdk.out')).filter((entry) => entry.startsWith('asset.'));
    const bundles = assets.map((asset) => path.join(dir(), 'cdk.out', asset, 'index.js')).filter((file) => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('/quotes/{id}'));
    expect(bundles).toHaveLength(1);
    // The bundle runs on its own: a Lambda proxy event in, the runtime's JSON out.
    const probe = `const { handler } = require(${JSON.stringify(bundles[0])});
const event = (id) => ({ httpMethod: 'GET', resource: '/quotes/{id}', path: '/quotes/' + id, pathParameters: { id }, headers: {}, multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null, requestContext: { requestId: 'r-1' }, body: null, isBase64Encoded: false });
const context = { functionName: 'quotes', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 10000 };
(async () => { console.log(JSON.stringify([await handler(event('q-1'), context), await handler(event('NOT OK'), context)])); })();`;
    // The AWS SDK is left out of Lambda bundles because the Lambda runtime provides it; here the repository's copy stands in for it.
    const env = { ...process.env, NODE_PATH: path.join(root, 'node_modules'), POWERTOOLS_SERVICE_NAME: 'quotes', POWERTOOLS_METRICS_DISABLED: 'true' };
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: dir(), env });
    const [good, bad] = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(good.statusCode).toBe(200);
    expect(JSON.parse(good.body)).toEqual({ id: 'q-1', amountMinor: 1250, currency: 'EUR' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: expect.anything() });
  });
});

test('the gates from the package fail a consumer synth that has an open finding, naming the rules', async () => {
  const dir = dirOf('js');
  fs.writeFileSync(
    path.join(dir, 'careless.js'),
    `const { Stack } = require('aws-cdk-lib');
const s3 = require('aws-cdk-lib/aws-s3');
const { newGatedApp } = require('msa-platform-blueprint/gates');
const app = newGatedApp();
new s3.Bucket(new Stack(app, 'Careless'), 'Open');
app.synth();
`,
  );
  const env = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' };
  const cdk = path.join(dir, 'node_modules', '.bin', 'cdk');
  const failure = await run(cdk, ['synth', '--app', 'node careless.js', '--output', 'cdk.careless', '--quiet', '--no-notices', '--no-version-reporting'], { cwd: dir, env }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(failure).toBeDefined();
  const plugins = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.careless', 'validation-report.json'), 'utf8')).pluginReports as { pluginName: string; violations: { ruleName: string }[] }[];
  const open = new Map(plugins.map((p) => [p.pluginName, p.violations.map((v) => v.ruleName)]));
  // cdk-nag's AWS Solutions pack (server access logs, SSL only) and the Control Tower guard rules both find the bucket.
  expect([...open.values()].flat()).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  expect([...open.keys()].some((name) => /guard/i.test(name))).toBe(true);
});
