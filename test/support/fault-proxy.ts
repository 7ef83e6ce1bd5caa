/**
 * An HTTP pass-through on loopback in front of a real server, whose behaviour a test switches:
 * `pass` forwards, `hang` holds requests without answering, `fail` answers 503 itself, `refuse`
 * drops the connection. It counts the requests that reached it.
 */
import * as http from 'node:http';
import { startLoopbackServer } from './loopback-server';

export type FaultMode = 'pass' | 'hang' | 'fail' | 'refuse';

export interface FaultProxy {
  readonly endpoint: string;
  mode: FaultMode;
  /** Requests received since the start. */
  readonly requests: number;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let requests = 0;
  const state = { mode: 'pass' as FaultMode };
  const server = await startLoopbackServer((request, body, response) => {
    requests += 1;
    switch (state.mode) {
      case 'hang':
        return; // held until the client gives up or the proxy stops
      case 'fail':
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"message":"Service Unavailable"}');
        return;
      case 'refuse':
        request.socket.destroy();
        return;
      default: {
        const upstream = http.request(new URL(request.url ?? '/', target), { method: request.method, headers: request.headers }, (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
        });
        upstream.on('error', () => response.destroy());
        upstream.end(body);
      }
    }
  });
  return {
    endpoint: server.endpoint,
    get mode() {
      return state.mode;
    },
    set mode(mode: FaultMode) {
      state.mode = mode;
    },
    get requests() {
      return requests;
    },
    stop: server.stop,
  };
}
