/**
 * The dashboard of the local platform on 127.0.0.1: `GET /` is the page (plain HTML that asks
 * `GET /state` for the platform's state every second and redraws), `GET /state` the state as JSON.
 * The architecture diagram, when given, is embedded in the page as SVG.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { LocalPlatform } from '../local-platform';
import { dashboardState } from './dashboard-state';

export interface LocalDashboard {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startDashboard(platform: LocalPlatform, options: { readonly port?: number; readonly architectureSvg?: string } = {}): Promise<LocalDashboard> {
  const template = fs.readFileSync(path.join(__dirname, 'dashboard-page.html'), 'utf8');
  // ARCHITECTURE DIAGRAM: the diagram of issue-20-diagram (local/architecture) goes here once merged.
  const page = template.replace('<!--ARCHITECTURE-->', options.architectureSvg ?? '<p id="architecture-pending">The architecture diagram appears here once local/architecture is part of the platform.</p>');
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
