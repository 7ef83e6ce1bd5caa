/**
 * `npm run docs`: API reference of every public entry of the package, from the TSDoc of the built
 * declarations (`npm run build` first). API Extractor reads each entry's `.d.ts` into a doc model,
 * API Documenter writes it as Markdown: `dist/docs/<entry>/` for each entry, and an index.
 *
 * API Extractor brings its own TypeScript compiler, so this works while the project builds with
 * TypeScript 7 (whose compiler has no JavaScript API for documentation tools to read).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'docs');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string | { types: string }> };

/** Each public entry of the package and its declarations, from the exports map. */
const entries = Object.entries(manifest.exports)
  .filter((entry): entry is [string, { types: string }] => typeof entry[1] === 'object')
  .map(([subpath, target]) => ({ subpath, name: subpath === '.' ? 'constructs' : subpath.slice(2).replace(/\//g, '-'), types: path.join(root, target.types) }));

fs.rmSync(out, { recursive: true, force: true });
const failed: string[] = [];
for (const entry of entries) {
  if (!fs.existsSync(entry.types)) throw new Error(`${entry.types} is missing: run npm run build first`);
  const model = path.join(out, 'model', entry.name);
  fs.mkdirSync(model, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: entry.types,
      compiler: { overrideTsconfig: { compilerOptions: { lib: ['ES2022'], types: ['node'], skipLibCheck: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022' } } },
      apiReport: { enabled: false },
      docModel: { enabled: true, apiJsonFilePath: path.join(model, `${entry.name}.api.json`) },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        // The reference is for reading: missing release tags and unexported helper types are not errors here.
        extractorMessageReporting: { default: { logLevel: 'none' as never } },
        tsdocMessageReporting: { default: { logLevel: 'none' as never } },
        compilerMessageReporting: { default: { logLevel: 'warning' as never } },
      },
    },
    configObjectFullPath: path.join(root, 'api-extractor.json'),
    packageJsonFullPath: path.join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: true, showVerboseMessages: false });
  if (!result.succeeded) failed.push(entry.name);
  execFileSync(path.join(root, 'node_modules', '.bin', 'api-documenter'), ['markdown', '-i', model, '-o', path.join(out, entry.name)], { stdio: 'pipe' });
  console.log(`${manifest.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}: dist/docs/${entry.name}/index.md`);
}

fs.writeFileSync(
  path.join(out, 'index.md'),
  [`# ${manifest.name}: API reference`, '', ...entries.map((entry) => `- [\`${manifest.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}\`](${entry.name}/index.md)`), ''].join('\n'),
);
if (failed.length > 0) {
  console.error(`API Extractor could not read: ${failed.join(', ')}`);
  process.exit(1);
}
