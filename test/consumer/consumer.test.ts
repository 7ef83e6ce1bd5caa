import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Proves the constructs work for another team: built with `npm run build`, imported through the
// package's public entry ("exports" map) only, from plain JavaScript, synthesized by plain node.
jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..', '..');
// Inside the repo, so the package can self-reference by name; git-ignored (test/**/__tmp__/).
const work = path.join(__dirname, '__tmp__');
const outdir = path.join(work, 'cdk.out');

const HANDLER = `exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ pong: true }) });\n`;

const CONSUMER = `
const path = require('node:path');
const { App, Stack } = require('aws-cdk-lib');
const { PlatformNetwork, ServiceRegistry, ConfigStore, LambdaMicroservice } = require('msa-platform-blueprint');

const app = new App({ outdir: process.env.CDK_OUTDIR });
const stack = new Stack(app, 'ConsumerStack');
const spec = {
  name: 'ping',
  description: 'answers pings',
  runtime: 'lambda',
  config: { greeting: 'hello' },
  lambda: { entry: path.join(__dirname, 'handler.js'), memoryMiB: 128, timeoutSeconds: 5 },
};
const network = new PlatformNetwork(stack, 'Network', { maxAzs: 2, natGateways: 1 });
const registry = new ServiceRegistry(stack, 'Registry', { vpc: network.vpc, httpNamespaceName: 'team-dev', dnsNamespaceName: 'dev.team.internal' });
const config = new ConfigStore(stack, 'Config', { platformName: 'team', environmentName: 'dev', services: [spec] });
new LambdaMicroservice(stack, 'ping', {
  spec, platformName: 'team', environmentName: 'dev', vpc: network.vpc, vpcSubnets: network.serviceSubnets, registry, config,
});
app.synth();
`;

function runNode(file: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [file], { cwd: work, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  fs.writeFileSync(path.join(work, 'handler.js'), HANDLER);
  fs.writeFileSync(path.join(work, 'app.js'), CONSUMER);
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

test('the build emits the public entry and its declarations', () => {
  expect(fs.existsSync(path.join(root, 'dist/lib/constructs/index.js'))).toBe(true);
  expect(fs.existsSync(path.join(root, 'dist/lib/constructs/index.d.ts'))).toBe(true);
});

test('a plain-JS consumer app synthesizes a service from the public entry', () => {
  runNode(path.join(work, 'app.js'), { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) });

  const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf8'));
  const resources = Object.values<{ Type: string; Properties?: Record<string, unknown> }>(template.Resources);
  const ofType = (type: string) => resources.filter((r) => r.Type === type);

  const functions = ofType('AWS::Lambda::Function').filter((r) => r.Properties?.Runtime === 'nodejs24.x');
  expect(functions).toHaveLength(1);
  expect(functions[0].Properties?.VpcConfig).toBeDefined();
  expect(ofType('AWS::ServiceDiscovery::HttpNamespace')).toHaveLength(1);
  expect(ofType('AWS::ServiceDiscovery::Service').length).toBeGreaterThan(0);
  expect(ofType('AWS::EC2::VPC')).toHaveLength(1);
  expect(ofType('AWS::SSM::Parameter').length).toBeGreaterThan(0);
  expect(ofType('AWS::DynamoDB::Table').length + ofType('AWS::DynamoDB::GlobalTable').length).toBe(0);
});

test('deep imports are not part of the public API', () => {
  const probe = path.join(work, 'deep.js');
  fs.writeFileSync(
    probe,
    `try { require('msa-platform-blueprint/constructs/platform'); console.log('LOADED'); } catch (e) { console.log(e.code); }\n` +
      `try { require('msa-platform-blueprint/dist/lib/constructs/platform.js'); console.log('LOADED'); } catch (e) { console.log(e.code); }\n`,
  );
  expect(runNode(probe).trim().split('\n')).toEqual(['ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);
});
