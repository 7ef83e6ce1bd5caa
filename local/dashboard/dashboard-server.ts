/**
 * The dashboard of the local platform on 127.0.0.1: `GET /` is the page (plain HTML that asks
 * `GET /state` for the platform's state every second and redraws), `GET /state` the state as JSON.
 * `GET /architecture.svg` is the catalog's architecture diagram, drawn from the same assembly
 * (architectureOf, renderArchitectureSvg); the page shows it at the top. It is drawn once, in the
 * background from start-up on, so the dashboard answers before Graphviz has loaded.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { architectureOf, renderArchitectureSvg } from '../architecture';
import type { LocalPlatform } from '../local-platform';
import { dashboardState } from './dashboard-state';

export interface LocalDashboard {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDashboard(platform: LocalPlatform, options: { readonly port?: number } = {}): Promise<LocalDashboard> {
  const page = fs.readFileSync(path.join(__dirname, 'dashboard-page.html'), 'utf8');
  const diagram = Promise.resolve().then(() =>
    renderArchitectureSvg(architectureOf({ services: platform.model.services, sagas: platform.sagas, assemblyDir: platform.assemblyDirectory })),
  );
  // Answered when asked for; until then a failure is only kept.
  diagram.catch(() => undefined);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET' });
      response.end(JSON.stringify({ error: { code: 'method_not_allowed', message: 'the dashboard only answers GET' } }));
      return;
    }
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }
    if (url.pathname === '/architecture.svg') {
      diagram.then(
        (svg) => {
          response.writeHead(200, { 'content-type': 'image/svg+xml' });
          response.end(svg);
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'internal_error', message: `the architecture diagram could not be drawn: ${error.message}` } }));
        },
      );
      return;
    }
    if (url.pathname === '/state') {
      dashboardState(platform).then(
        (state) => {
          response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          response.end(JSON.stringify(state));
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: { code: 'internal_error', message: error.message } }));
        },
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'not_found', message: `no page at ${url.pathname}` } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
