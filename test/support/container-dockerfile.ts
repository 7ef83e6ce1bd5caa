/**
 * The checks every container service's Dockerfile must pass, read from the file: a build stage that
 * installs with the lockfile and bundles with the same script the process tests run, and a runtime
 * stage on the same pinned Node.js image that holds only the bundle, runs unprivileged and has node
 * itself as PID 1, so SIGTERM reaches the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import type { ServiceSpec } from '../../constructs/model/service-spec';

const ROOT = path.resolve(__dirname, '..', '..');

export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions per stage, continuation lines joined and comments dropped. */
export function stagesOf(dockerfile: string): DockerInstruction[][] {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const stages: DockerInstruction[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') stages.push([]);
    if (stages.length === 0) continue; // ARGs before the first FROM
    stages[stages.length - 1].push(instruction);
  }
  return stages;
}

/** The arguments of every `keyword` instruction of a stage. */
export function argsOf(stage: readonly DockerInstruction[], keyword: string): string[] {
  return stage.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** What differs between services. */
export interface DockerfileExpectations {
  /** The server entry, relative to the repository root (`services/catalog/server.ts`). */
  readonly entry: string;
  /** The runtime stage's `USER`. */
  readonly user: string;
}

/** Declares the shared Dockerfile tests for `spec`. */
export function describeContainerDockerfile(spec: ServiceSpec, expected: DockerfileExpectations): void {
  describe(`the ${spec.name} Dockerfile`, () => {
    const dockerfile = fs.readFileSync(path.join(spec.container!.dockerfileDirectory, 'Dockerfile'), 'utf8');
    const stages = stagesOf(dockerfile);
    const runtime = stages[stages.length - 1];

    test('builds from the repository root, as its spec tells the image asset', () => {
      expect(spec.container!.buildContext).toBe(ROOT);
      expect(fs.existsSync(path.join(ROOT, expected.entry))).toBe(true);
    });

    test('has a build stage and a runtime stage on a pinned Node.js image', () => {
      expect(stages.length).toBeGreaterThanOrEqual(2);
      expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-alpine[\d.]+$/m);
      for (const stage of stages) expect(argsOf(stage, 'FROM')[0]).toMatch(/^\$\{NODE_IMAGE\}/);
    });

    test('bundles the server with the same script the process tests run', () => {
      const build = stages[0];
      expect(argsOf(build, 'RUN')).toContain('npm ci --ignore-scripts --no-audit --no-fund');
      expect(argsOf(build, 'RUN')).toContain(`npm run --silent bundle:container -- ${expected.entry} --outfile=/out/server.js`);
      const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
      expect(scripts['bundle:container']).toMatch(/^esbuild --bundle --platform=node --target=node24 /);
    });

    test('the build stage copies every source file the bundle reads, and the .dockerignore lets each of them in', () => {
      // What the bundle reads, found by bundling it here; node_modules come from npm ci in the image.
      const { metafile } = buildSync({ entryPoints: [path.join(ROOT, expected.entry)], bundle: true, platform: 'node', write: false, metafile: true, absWorkingDir: ROOT, logLevel: 'silent' });
      const sources = Object.keys(metafile.inputs).filter((file) => !file.includes('node_modules/'));
      const copied = argsOf(stages[0], 'COPY').map((args) => args.split(/\s+/)[0].replace(/\/$/, ''));
      const allowed = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''));
      const under = (file: string, dirs: readonly string[]) => dirs.some((dir) => file === dir || file.startsWith(`${dir}/`));
      expect(sources.length).toBeGreaterThan(0);
      expect(sources.filter((file) => !under(file, copied))).toEqual([]);
      expect(sources.filter((file) => !under(file, allowed))).toEqual([]);
    });

    test(`the runtime stage holds only the bundle, runs as ${expected.user}, with node itself as PID 1`, () => {
      expect(argsOf(runtime, 'COPY')).toEqual(['--from=build /out/server.js ./server.js']);
      expect(argsOf(runtime, 'RUN')).toEqual([]);
      expect(argsOf(runtime, 'USER')).toEqual([expected.user]);
      expect(JSON.parse(argsOf(runtime, 'ENTRYPOINT')[0])).toEqual(['node']);
      expect(JSON.parse(argsOf(runtime, 'CMD')[0])).toEqual(['server.js']);
      expect(argsOf(runtime, 'EXPOSE')).toEqual([String(spec.container!.port)]);
    });
  });
}
