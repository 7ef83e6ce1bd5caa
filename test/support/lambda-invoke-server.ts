/**
 * A stand-in for the Lambda Invoke API on loopback: `POST /2015-03-31/functions/<name>/invocations`
 * runs the real handler of a service in this process with the payload as its event, and answers
 * with what the handler returns, as Lambda does (a thrown error becomes `X-Amz-Function-Error`).
 * The SDK's LambdaClient, pointed at it, is the real client the BFF uses.
 */
import type { Context } from 'aws-lambda';
import { lambdaContext } from './api-gateway-events';
import { replyJson, startLoopbackServer } from './loopback-server';

export type InvokedHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaInvokeServer {
  readonly endpoint: string;
  /** Invocations answered, by function name. */
  readonly invocations: ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaInvokeServer(functions: Record<string, InvokedHandler>): Promise<LambdaInvokeServer> {
  const invocations = new Map<string, number>();
  const server = await startLoopbackServer((request, body, response) => {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    // The SDK sends the ARN (URL-encoded); the function is known by the name at its end.
    const name = match ? decodeURIComponent(match[1]).split(':').pop()! : '';
    const handler = functions[name];
    if (request.method !== 'POST' || handler === undefined) {
      replyJson(response, 404, { Type: 'User', message: `Function not found: ${name}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      return;
    }
    invocations.set(name, (invocations.get(name) ?? 0) + 1);
    handler(JSON.parse(body.toString('utf8') || '{}'), lambdaContext(name)).then(
      (result) => {
        replyJson(response, 200, result ?? null, { 'x-amz-executed-version': '$LATEST' });
      },
      (error: Error) => {
        replyJson(response, 200, { errorType: error.name, errorMessage: error.message }, { 'x-amz-function-error': 'Unhandled' });
      },
    );
  });
  return { endpoint: server.endpoint, invocations, stop: server.stop };
}
