/**
 * Bundling the services' code for the local platform with esbuild, the bundler their deployments
 * use: each Lambda entry with the worker that hosts it, each container server as its Dockerfile
 * bundles it. Bundles are written under `node_modules/.cache/local-platform/` so that the packages
 * they leave external resolve from the project's own node_modules.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where bundles and the cached assembly are kept, below the project root. */
export function localCacheDirectory(projectRoot: string, ...parts: string[]): string {
  const directory = path.join(projectRoot, 'node_modules', '.cache', 'local-platform', ...parts);
  fs.mkdirSync(directory, { recursive: true });
  return directory;
}

/** Bundles `entry` to `outfile` for this Node, packages external; resolves with the bundle's path. */
export async function bundleForNode(entry: string, outfile: string): Promise<string> {
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    packages: 'external',
    sourcemap: 'inline',
    keepNames: true,
    logLevel: 'silent',
  });
  return outfile;
}
