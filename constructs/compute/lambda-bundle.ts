import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';

/**
 * Context key naming a folder of bundles made before the synth by {@link bundleLambdaEntries}
 * (`npm run synth` makes them once and hands the folder to each profile's process).
 */
export const LAMBDA_BUNDLES_CONTEXT = '@msa-platform-blueprint/lambda-bundles';

/** The NodejsFunction bundling options esbuild's API is given in process; any other makes the function bundle itself. */
const IN_PROCESS_OPTIONS = ['minify', 'sourceMap', 'sourcesContent', 'target', 'format', 'externalModules', 'loader', 'define', 'keepNames', 'banner', 'footer', 'mainFields', 'logLevel'] as const;

/** The bundling options of a function that can be bundled in process. */
export type InProcessBundlingOptions = Pick<nodejs.BundlingOptions, (typeof IN_PROCESS_OPTIONS)[number]>;

/** How the platform's functions are bundled unless told otherwise: minified, no source map, Node 24, CommonJS, AWS SDK v3 left to the runtime. */
export const DEFAULT_LAMBDA_BUNDLING: InProcessBundlingOptions = {
  minify: true,
  sourceMap: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  externalModules: ['@aws-sdk/*'],
};

/** Whether esbuild's API in this process can bundle with these options exactly as NodejsFunction's esbuild command would. */
export function bundlesInProcess(options: nodejs.BundlingOptions): options is InProcessBundlingOptions {
  const allowed = new Set<string>(IN_PROCESS_OPTIONS);
  return Object.entries(options).every(([key, value]) => value === undefined || allowed.has(key));
}

/** The esbuild build options NodejsFunction's command line amounts to (its output file is `index.js`, or `index.mjs` for ESM). */
export function esbuildOptionsOf(options: InProcessBundlingOptions): BuildOptions {
  if (options.target === undefined) throw new Error('in-process Lambda bundling needs an explicit target (e.g. node24)');
  return {
    bundle: true,
    platform: 'node',
    target: options.target,
    format: options.format,
    minify: options.minify ?? false,
    sourcemap: options.sourceMap ? true : undefined,
    sourcesContent: options.sourcesContent ?? true,
    external: options.externalModules ?? ['@aws-sdk/*'],
    loader: options.loader as BuildOptions['loader'],
    define: options.define,
    keepNames: options.keepNames,
    banner: options.banner ? { js: options.banner } : undefined,
    footer: options.footer ? { js: options.footer } : undefined,
    mainFields: options.mainFields,
    logLevel: 'silent',
  };
}

/** The folder NodejsFunction runs esbuild from (the lock file's, searched upward from the working directory), so paths in the output match. */
function projectRoot(): string {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    if (['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock'].some((lock) => fs.existsSync(path.join(dir, lock)))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** Names one bundle: the entry and the options it is bundled with. */
export function lambdaBundleKey(entry: string, options: InProcessBundlingOptions): string {
  const canonical = Object.fromEntries(Object.entries(esbuildOptionsOf(options)).filter(([, value]) => value !== undefined).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify({ entry: path.resolve(entry), options: canonical })).digest('hex').slice(0, 32);
}

const outputFile = (options: InProcessBundlingOptions) => (options.format === 'esm' ? 'index.mjs' : 'index.js');

/**
 * Bundles many entries in one esbuild build per set of options, each into `<directory>/<key>/`, where a
 * function bundled in process with the same entry and options finds it (see {@link LAMBDA_BUNDLES_CONTEXT}).
 */
export async function bundleLambdaEntries(entries: readonly { entry: string; options: InProcessBundlingOptions }[], directory: string): Promise<void> {
  const { build } = await import('esbuild');
  const groups = new Map<string, { options: InProcessBundlingOptions; entryPoints: Record<string, string> }>();
  for (const { entry, options } of entries) {
    const group = groups.get(JSON.stringify(options)) ?? { options, entryPoints: {} };
    group.entryPoints[`${lambdaBundleKey(entry, options)}/${path.parse(outputFile(options)).name}`] = path.resolve(entry);
    groups.set(JSON.stringify(options), group);
  }
  await Promise.all([...groups.values()].map(({ options, entryPoints }) =>
    build({ ...esbuildOptionsOf(options), entryPoints, outdir: directory, outExtension: options.format === 'esm' ? { '.js': '.mjs' } : undefined, absWorkingDir: projectRoot() })));
}

/** Bundles made in this process: key to folder. Checked on use, as an app's outdir may be gone. */
const madeInProcess = new Map<string, string>();

/**
 * The code of a function bundled by esbuild's API in this process, once per entry and options
 * whatever the number of functions or apps: its asset hash is the hash of the bundle (as
 * NodejsFunction's), so only a function whose bundle changed gets a new asset. Undefined when the
 * stack skips bundling (`aws:cdk:bundling-stacks`) or the options need NodejsFunction's own bundling;
 * the function then bundles itself as before.
 */
export function inProcessLambdaCode(scope: Construct, entry: string, options: nodejs.BundlingOptions): lambda.Code | undefined {
  if (!Stack.of(scope).bundlingRequired || !bundlesInProcess(options) || options.target === undefined) return undefined;
  const key = lambdaBundleKey(entry, options);
  const file = outputFile(options);
  const prebuilt = scope.node.tryGetContext(LAMBDA_BUNDLES_CONTEXT) as string | undefined;
  const candidates = [prebuilt && path.join(prebuilt, key), madeInProcess.get(key)];
  let directory = candidates.find((dir): dir is string => typeof dir === 'string' && fs.existsSync(path.join(dir, file)));
  if (directory === undefined) {
    directory = path.join(Stage.of(scope)?.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-bundles-')), 'lambda-bundles', key);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a function is bundled
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    buildSync({ ...esbuildOptionsOf(options), entryPoints: [path.resolve(entry)], outfile: path.join(directory, file), absWorkingDir: projectRoot() });
    madeInProcess.set(key, directory);
  }
  return lambda.Code.fromAsset(directory);
}
