/**
 * A small HTTP server on 127.0.0.1 and a random port, for the stand-ins of AWS services that speak
 * the AWS JSON protocol (`X-Amz-Target` names the operation, bodies are JSON).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer: the status and the JSON body. */
export interface JsonReply {
  readonly status: number;
  readonly body: unknown;
}

/** A running server. */
export interface LocalHttpServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts a server that hands each request's target and parsed body to `answer` and sends its reply as AWS JSON. */
export async function startJsonProtocolServer(answer: (target: string, body: unknown) => JsonReply): Promise<LocalHttpServer> {
  let served = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      served += 1;
      const text = Buffer.concat(chunks).toString('utf8');
      const reply = answer(String(request.headers['x-amz-target']), text === '' ? {} : JSON.parse(text));
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `stand-in-${served}` });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
