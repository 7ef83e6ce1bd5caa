/**
 * The catalog image as its Dockerfile declares it (there is no Docker engine here to build it):
 * multi-stage, a minimal runtime stage with only the bundle, an unprivileged user, and `node` as
 * the entrypoint so SIGTERM reaches the server. The bundle step is the one the process tests run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalog } from '../../../services/catalog/service';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions per stage, continuation lines joined and comments dropped. */
function stagesOf(dockerfile: string): Instruction[][] {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
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

describe('the catalog Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(catalog.container!.dockerfileDirectory, 'Dockerfile'), 'utf8');
  const stages = stagesOf(dockerfile);
  const runtime = stages[stages.length - 1];
  const args = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  test('has a build stage and a runtime stage on a pinned Node.js image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+\.\d+-alpine[\d.]+$/m);
    for (const stage of stages) expect(args(stage, 'FROM')[0]).toMatch(/^\$\{NODE_IMAGE\}/);
  });

  test('bundles the server with the same script the process tests run', () => {
    const build = stages[0];
    expect(args(build, 'RUN')).toContain('npm ci --ignore-scripts --no-audit --no-fund');
    expect(args(build, 'RUN')).toContain('npm run --silent bundle:container -- services/catalog/server.ts --outfile=/out/server.js');
    const scripts = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')).scripts;
    expect(scripts['bundle:container']).toMatch(/^esbuild --bundle --platform=node --target=node24 /);
  });

  test('the runtime stage holds only the bundle, runs as the unprivileged node user, with node itself as PID 1', () => {
    expect(args(runtime, 'COPY')).toEqual(['--from=build /out/server.js ./server.js']);
    expect(args(runtime, 'RUN')).toEqual([]);
    expect(args(runtime, 'USER')).toEqual(['node']);
    expect(JSON.parse(args(runtime, 'ENTRYPOINT')[0])).toEqual(['node']);
    expect(JSON.parse(args(runtime, 'CMD')[0])).toEqual(['server.js']);
    expect(args(runtime, 'EXPOSE')).toEqual([String(catalog.container!.port)]);
  });
});
