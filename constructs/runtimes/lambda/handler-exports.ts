/**
 * What a Lambda entry module exports, read with esbuild (the bundler the functions are built with)
 * without running it: `export const handler`, `export { handler } from './x'` and
 * `export * from './x'` are all followed through local files; packages stay external.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

/** The exports of an entry module, or why they could not be read. */
export type EntryExports =
  | {
      /** Names the module exports. */
      readonly names: readonly string[];
      /**
       * False when some exports cannot be known without running the module: it re-exports all of a
       * package (`export * from 'pkg'`), or it is CommonJS.
       */
      readonly complete: boolean;
    }
  | { readonly error: string };

/** Read once per entry (and its modification time) in a process: synth and tests ask for the same entries many times. */
const cache = new Map<string, EntryExports>();

/** The exports of the module at `entry` (an absolute path of an existing file). */
export function entryExportsOf(entry: string): EntryExports {
  const key = `${entry}\0${fs.statSync(entry).mtimeMs}`;
  let exports = cache.get(key);
  if (exports === undefined) {
    exports = readExports(entry);
    cache.set(key, exports);
  }
  return exports;
}

function readExports(entry: string): EntryExports {
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: path.dirname(entry),
    });
  } catch (error) {
    const first = (error as { errors?: esbuild.Message[] }).errors?.[0];
    return { error: first ? `${first.text}${first.location ? ` (${first.location.file}:${first.location.line})` : ''}` : String(error) };
  }
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  const input = Object.entries(result.metafile.inputs).find(([file]) => path.resolve(file) === path.resolve(entry))?.[1];
  const text = result.outputFiles.map((file) => file.text).join('\n');
  return {
    names: output?.exports ?? [],
    complete: input?.format !== 'cjs' && !/^export \* from /m.test(text),
  };
}
