/**
 * The container services of the local platform: each server bundled as its Dockerfile bundles it
 * and run as its own `node` process on a free loopback port, with the environment its task
 * definition or Kubernetes Deployment gives it, pointed at the local stand-ins. Start-up waits for
 * its health check to answer 200; `stop` sends SIGTERM, as ECS and Kubernetes do, and waits for
 * each process to drain and exit.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import type { LocalContainer } from '../assembly/platform-model';
import { bundleForNode } from './bundle';
import type { LogTail } from './log-tail';
import { SERVICE_ENVIRONMENT } from '../../constructs/model/service-contract';

/** A running container service. */
export interface RunningContainer {
  readonly container: LocalContainer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly child: ChildProcess;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class LocalContainers {
  readonly #running: RunningContainer[] = [];

  /** Bundles and starts every container; resolves once each answers its health check. */
  static async start(props: { readonly containers: readonly LocalContainer[]; readonly environment: Record<string, string>; readonly bundleDirectory: string; readonly logs: LogTail; readonly readyTimeoutMs?: number }): Promise<LocalContainers> {
    const containers = new LocalContainers();
    try {
      const exitWithParent = await bundleForNode(path.join(__dirname, 'exit-with-parent.ts'), path.join(props.bundleDirectory, 'exit-with-parent.js'));
      await Promise.all(props.containers.map((container) => containers.#start(container, { ...props, exitWithParent })));
    } catch (error) {
      await containers.stop();
      throw error;
    }
    return containers;
  }

  async #start(container: LocalContainer, props: { readonly environment: Record<string, string>; readonly bundleDirectory: string; readonly logs: LogTail; readonly readyTimeoutMs?: number; readonly exitWithParent: string }): Promise<void> {
    const bundle = await bundleForNode(container.entry, path.join(props.bundleDirectory, `${container.service}-server.js`));
    const port = await freePort();
    const environment: Record<string, string> = { PATH: process.env.PATH ?? '', ...props.environment, ...container.environment, PORT: String(port), PRE_STOP_SECONDS: '0', [SERVICE_ENVIRONMENT.listenHost]: '127.0.0.1' };
    // No collector runs beside the process here: without an endpoint, telemetry stays off.
    delete environment.OTEL_EXPORTER_OTLP_ENDPOINT;
    const child = spawn(process.execPath, ['--enable-source-maps', '--require', props.exitWithParent, bundle], { env: environment, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    props.logs.follow(container.service, child.stdout!, 'stdout');
    props.logs.follow(container.service, child.stderr!, 'stderr');
    const url = `http://127.0.0.1:${port}`;
    this.#running.push({ container, url, child });
    const deadline = Date.now() + (props.readyTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      const healthy = await fetch(`${url}${container.healthCheckPath}`).then((response) => response.status === 200, () => false);
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the container service '${container.service}' (${container.runtime}) did not answer ${container.healthCheckPath} with 200; its last lines: ${props.logs.last(container.service, 5).map((line) => line.text).join(' | ')}`);
  }

  list(): readonly RunningContainer[] {
    return [...this.#running];
  }

  /** The URL of `service`'s process. */
  urlOf(service: string): string | undefined {
    return this.#running.find((running) => running.container.service === service)?.url;
  }

  /** SIGTERM to every process; resolves once all have exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#running.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
