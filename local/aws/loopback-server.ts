/**
 * The plumbing the loopback stand-ins share: an HTTP server on 127.0.0.1 (a free port) that reads
 * each request's body before handing it on, and stops by closing every connection.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request whose body has been read. */
export type LoopbackHandler = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLoopbackServer(handle: LoopbackHandler): Promise<LoopbackServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON answer. */
export function replyJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}
