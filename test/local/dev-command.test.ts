/**
 * `npm run dev` as a user runs it: the process prints the edge's and the dashboard's URLs once the
 * platform is ready, both answer, and SIGTERM stops every process it started and exits 0.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onLines } from '../../local/runner/log-tail';

const ROOT = path.resolve(__dirname, '..', '..');

/** `pid`'s child processes, with their command lines. */
function childrenOf(pid: number): { pid: number; command: string }[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => ({ pid: Number(match[1]), command: match[2] }));
  } catch {
    return []; // ps exits 1 when there is none
  }
}

/** Whether `pid` still runs: it exists and is not a zombie waiting to be reaped (its parent is gone, init reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('prints the edge and the dashboard once ready, and SIGTERM stops every child process and exits 0', async () => {
  // As the npm script runs it (`node --import tsx local/dev.ts`), on free ports.
  const dev = spawn(process.execPath, ['--import', 'tsx', 'local/dev.ts', '--edge-port', '0', '--dashboard-port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  onLines(dev.stdout!, (line) => output.push(line));
  onLines(dev.stderr!, (line) => output.push(line));
  const exited = new Promise<number | string>((resolve) => dev.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  try {
    const deadline = Date.now() + 200_000;
    while (!output.some((line) => line.startsWith('dashboard: '))) {
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`npm run dev did not get ready; it wrote:\n${output.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const edge = /^edge: (http:\/\/127\.0\.0\.1:\d+)$/.exec(output.find((line) => line.startsWith('edge: '))!)![1];
    const dashboard = /^dashboard: (http:\/\/127\.0\.0\.1:\d+)$/.exec(output.find((line) => line.startsWith('dashboard: '))!)![1];

    const token = (await (await fetch(`${edge}/_local/token?frontEnd=mobile`)).json()) as { access_token: string };
    const products = await fetch(`${edge}/products`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(products.status).toBe(200);
    expect((await fetch(dashboard)).status).toBe(200);

    const children = childrenOf(dev.pid!);
    // Five Lambda workers and two container servers (besides esbuild's own service process).
    expect(children.filter((child) => child.command.includes('local-platform/bundles/')).length).toBe(7);
    dev.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(children.filter((child) => isRunning(child.pid))).toEqual([]);
    expect(output).toContain('SIGTERM: stopping');
  } finally {
    if (dev.exitCode === null) dev.kill('SIGKILL');
  }
}, 240_000);
