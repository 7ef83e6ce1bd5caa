/**
 * A real `ContainerHttpServer` on 127.0.0.1 and a free port, health path `/health`, a one-second
 * drain budget: the container runtime as the API tests call it.
 */
import { ContainerHttpServer, type ProxyHandler, type ServerLog } from '../../runtime/container/http-server';

export interface LoopbackContainerServer {
  readonly server: ContainerHttpServer;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
}

export async function serveOnLoopback(routes: readonly string[], handle: ProxyHandler, log: ServerLog): Promise<LoopbackContainerServer> {
  const server = new ContainerHttpServer({ routes, handle, healthPath: '/health', drainSeconds: 1, log });
  return { server, base: `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}` };
}
