/**
 * Running a container service as a real process: bundled with the same command its Dockerfile
 * runs (`npm run bundle:container`), started with `node`, its JSON log lines collected from stdout.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { onLines } from '../../local/runner/log-tail';

const ROOT = path.resolve(__dirname, '..', '..');

/** Bundles `entry` (relative to the repository root) as its Dockerfile does; returns the bundle's path. */
export function bundleContainerEntry(entry: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'container-bundle-'));
  const outfile = path.join(outdir, 'server.js');
  execFileSync('npm', ['run', '--silent', 'bundle:container', '--', entry, `--outfile=${outfile}`], { cwd: ROOT, stdio: 'pipe' });
  return outfile;
}

/** A started process. */
export interface RunningProcess {
  readonly child: ChildProcess;
  /** Every JSON line it has written to stdout or stderr so far. */
  logs(): Record<string, unknown>[];
  /** Resolves with the first log line matching `predicate` (waiting for it to be written). */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
}

/** Starts `node <bundle>` with exactly the environment given (plus PATH). */
export function startProcess(bundle: string, env: Record<string, string>): RunningProcess {
  const child = spawn(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  const collect = (stream: NodeJS.ReadableStream) =>
    onLines(stream, (text) => {
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        line = { text };
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
  collect(child.stdout!);
  collect(child.stderr!);
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    logs: () => [...lines],
    waitForLog: (predicate, timeoutMs = 10_000) => {
      const found = lines.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; lines so far: ${JSON.stringify(lines)}`)), timeoutMs);
        waiters.push({ predicate, resolve: (line) => { clearTimeout(timer); resolve(line); } });
      });
    },
    exited,
  };
}

/** An HTTP pass-through to `target` that holds back requests whose body matches `slow` until `release` is called. */
export interface StallingProxy {
  readonly endpoint: string;
  /** Resolves when a matching request has arrived and is being held. */
  readonly stalled: Promise<void>;
  release(): void;
  stop(): Promise<void>;
}

export async function startStallingProxy(target: string, slow: RegExp): Promise<StallingProxy> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markStalled!: () => void;
  const stalled = new Promise<void>((resolve) => (markStalled = resolve));
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const upstream = http.request(new URL(request.url ?? '/', target), { method: request.method, headers: request.headers }, (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
        });
        upstream.on('error', () => response.destroy());
        upstream.end(body);
      };
      if (slow.test(body.toString('utf8'))) {
        markStalled();
        void released.then(forward);
      } else {
        forward();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stalled,
    release,
    stop: async () => {
      release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
