/**
 * The container's process: main.ts bundled as its Dockerfile bundles it (esbuild, Node 24, CommonJS),
 * run as a child process with the environment the chart gives the pod, then stopped with SIGTERM
 * the way the kubelet stops it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

const SERVICE_DIR = path.join(__dirname, '../../../services/pricing');

let workdir: string;
let bundle: string;
beforeAll(async () => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pricing-'));
  bundle = path.join(workdir, 'main.js');
  await build({ entryPoints: [path.join(SERVICE_DIR, 'main.ts')], bundle: true, platform: 'node', target: 'node24', format: 'cjs', minify: true, outfile: bundle, logLevel: 'silent' });
});
afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

test('the Dockerfile copies exactly the files the bundle is built from', () => {
  const dockerfile = fs.readFileSync(path.join(SERVICE_DIR, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^COPY quote\.ts server\.ts main\.ts \.\/$/m);
  expect(dockerfile).toMatch(/^USER 10001:10001$/m);
  const imports = fs.readFileSync(path.join(SERVICE_DIR, 'server.ts'), 'utf8') + fs.readFileSync(path.join(SERVICE_DIR, 'main.ts'), 'utf8');
  const local = [...imports.matchAll(/from '\.\/([a-z-]+)'/g)].map((m) => `${m[1]}.ts`);
  for (const file of local) expect(dockerfile).toContain(file);
});

function start(env: Record<string, string>): { child: ChildProcess; lines: () => Record<string, unknown>[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, lines, exited };
}

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('serves on PORT with its ConfigMap settings, and exits 0 after draining on SIGTERM', async () => {
  const proc = start({ PORT: '0', DRAIN_SECONDS: '5', CONFIG_taxRatePercent: '19', CONFIG_currency: 'EUR' });
  try {
    const listening = await until(() => proc.lines().find((l) => l.message === 'listening'));
    const port = listening.port as number;
    const reply = await fetch(`http://127.0.0.1:${port}/pricing/tax-rate`);
    expect(await reply.json()).toEqual({ taxRatePercent: 19, currency: 'EUR' });
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.lines().map((l) => l.message)).toEqual(['listening', 'request', 'draining', 'stopped']);
    expect(proc.lines().every((l) => l.service === 'pricing' && typeof l.time === 'string')).toBe(true);
  } finally {
    proc.child.kill('SIGKILL');
  }
});

test('refuses to start without its settings', async () => {
  const proc = start({ PORT: '0', CONFIG_currency: 'EUR' });
  expect(await proc.exited).not.toBe(0);
});
