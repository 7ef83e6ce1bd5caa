import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import {
  DEFAULT_LAMBDA_BUNDLING,
  LAMBDA_BUNDLES_CONTEXT,
  bundleLambdaEntries,
  bundlesInProcess,
  inProcessLambdaCode,
  lambdaBundleKey,
} from '../../../constructs/compute/lambda-bundle';

// One NodejsFunction bundles through its own esbuild command, for comparison.
jest.setTimeout(120_000);

const ENTRY = path.join(__dirname, '..', '..', '..', 'constructs', 'observability', 'log-domain-setup', 'handler.ts');

const tmpDirs: string[] = [];
function tmpDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lambda-bundle-${label}-`));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The S3 key (the asset hash) of each function in a stack, by the function's construct id. */
function codeKeys(stack: Stack): Record<string, string> {
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.fromEntries(Object.entries(functions).map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), (fn as { Properties: { Code: { S3Key: string } } }).Properties.Code.S3Key]));
}

describe('in-process Lambda bundling', () => {
  test('gives the asset hash NodejsFunction gives its own bundle of the same entry and options', () => {
    const app = new App({ outdir: tmpDir('compare') });
    const stack = new Stack(app, 'Compare');
    new nodejs.NodejsFunction(stack, 'ItsOwn', { entry: ENTRY, runtime: lambda.Runtime.NODEJS_24_X, bundling: DEFAULT_LAMBDA_BUNDLING });
    const code = inProcessLambdaCode(stack, ENTRY, DEFAULT_LAMBDA_BUNDLING);
    expect(code).toBeDefined();
    new nodejs.NodejsFunction(stack, 'InProcess', { entry: ENTRY, code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X });

    const keys = codeKeys(stack);
    expect(keys.InProcess).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(keys.InProcess).toEqual(keys.ItsOwn);
  });

  test('bundles an entry once for every function and app of the process that uses the same options', () => {
    const apps = [new App({ outdir: tmpDir('a') }), new App({ outdir: tmpDir('b') })];
    const codes = apps.map((app) => inProcessLambdaCode(new Stack(app, 'S'), ENTRY, DEFAULT_LAMBDA_BUNDLING) as lambda.AssetCode);
    // Both point at one bundle (made by whichever app of this process bundled the entry first), not one each.
    expect(codes[1].path).toEqual(codes[0].path);
    expect(codes[1].path.startsWith(apps[1].outdir)).toBe(false);
    expect(fs.readFileSync(path.join(codes[0].path, 'index.js'), 'utf8')).toMatch(/exports/);

    // Other options make another bundle.
    const readable = inProcessLambdaCode(new Stack(apps[1], 'T'), ENTRY, { ...DEFAULT_LAMBDA_BUNDLING, minify: false }) as lambda.AssetCode;
    expect(readable.path).not.toEqual(codes[0].path);
    expect(fs.statSync(path.join(readable.path, 'index.js')).size).toBeGreaterThan(fs.statSync(path.join(codes[0].path, 'index.js')).size);
  });

  test('uses a bundle made beforehand by bundleLambdaEntries, named in the context', async () => {
    const bundles = tmpDir('made');
    await bundleLambdaEntries([{ entry: ENTRY, options: DEFAULT_LAMBDA_BUNDLING }], bundles);
    const made = path.join(bundles, lambdaBundleKey(ENTRY, DEFAULT_LAMBDA_BUNDLING), 'index.js');
    expect(fs.existsSync(made)).toBe(true);

    const app = new App({ outdir: tmpDir('uses'), context: { [LAMBDA_BUNDLES_CONTEXT]: bundles } });
    const code = inProcessLambdaCode(new Stack(app, 'S'), ENTRY, DEFAULT_LAMBDA_BUNDLING) as lambda.AssetCode;
    expect(code.path).toEqual(path.dirname(made));
  });

  test('leaves the function to bundle itself when the stack skips bundling or the options need NodejsFunction', () => {
    const skipping = new App({ outdir: tmpDir('skip'), context: { 'aws:cdk:bundling-stacks': [] } });
    expect(inProcessLambdaCode(new Stack(skipping, 'S'), ENTRY, DEFAULT_LAMBDA_BUNDLING)).toBeUndefined();

    const app = new App({ outdir: tmpDir('own') });
    expect(bundlesInProcess({ ...DEFAULT_LAMBDA_BUNDLING, nodeModules: ['opossum'] })).toBe(false);
    expect(inProcessLambdaCode(new Stack(app, 'S'), ENTRY, { ...DEFAULT_LAMBDA_BUNDLING, commandHooks: { beforeBundling: () => [], afterBundling: () => [], beforeInstall: () => [] } })).toBeUndefined();
    expect(bundlesInProcess(DEFAULT_LAMBDA_BUNDLING)).toBe(true);
  });
});
