/**
 * The assembly the local platform is read from, synthesized once and kept: synthesis takes tens of
 * seconds on two cores, far more than the rest of start-up. The copy is found again by a digest of
 * what it was made from (the specs, as JSON, and the sources of the constructs and stacks that turn
 * them into templates), so a change to either makes a new one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What to synthesize and what decides whether a kept copy is still good. */
export interface AssemblySource {
  /** Synthesizes the platform's assembly into `outdir`. */
  readonly synthesize: (outdir: string) => void | Promise<void>;
  /** Anything the assembly is made from that is data, e.g. the specs (serialized as JSON). */
  readonly inputs: unknown;
  /** Folders whose files the assembly is made from, e.g. the constructs and stacks. */
  readonly sourceDirectories: readonly string[];
}

/** The digest of `source`'s inputs and files. */
export function assemblyDigest(source: AssemblySource): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(source.inputs, (_key, value: unknown) => (typeof value === 'function' ? String(value) : value)));
  for (const directory of source.sourceDirectories) {
    for (const file of listFiles(directory)) {
      hash.update(path.relative(directory, file));
      hash.update(fs.readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The directory of an assembly for `source` below `cacheDirectory`, synthesized when none is kept; `fresh` tells which. */
export async function cachedAssembly(source: AssemblySource, cacheDirectory: string): Promise<{ readonly directory: string; readonly fresh: boolean }> {
  const directory = path.join(cacheDirectory, `assembly-${assemblyDigest(source)}`);
  if (fs.existsSync(path.join(directory, 'manifest.json'))) return { directory, fresh: false };
  const building = `${directory}.${process.pid}.tmp`;
  fs.rmSync(building, { recursive: true, force: true });
  await source.synthesize(building);
  fs.rmSync(directory, { recursive: true, force: true });
  fs.renameSync(building, directory);
  return { directory, fresh: true };
}

function listFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|json)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
