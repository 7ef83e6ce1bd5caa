/**
 * The Lambda Invoke API on loopback (`POST /2015-03-31/functions/<name or ARN>/invocations`, REST
 * JSON), for services that call a Lambda service directly (the BFFs, through their ServiceCaller):
 * the invocation goes to the function's worker, and its answer comes back as Lambda's, a thrown
 * error with `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }`.
 */
import type { InvocationOutcome } from '../runner/local-functions';
import { replyJson, startLoopbackServer, type LoopbackServer } from './loopback-server';

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaApi(invoke: (functionName: string, event: unknown) => Promise<InvocationOutcome>, has: (functionName: string) => boolean): Promise<LoopbackServer> {
  return startLoopbackServer((request, body, response) => {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    // The SDK sends the name or the (URL-encoded) ARN, perhaps with a qualifier; the function is the name in it.
    const reference = match ? decodeURIComponent(match[1]) : '';
    const name = reference.startsWith('arn:') ? reference.split(':')[6] ?? '' : reference.split(':')[0];
    if (request.method !== 'POST' || !has(name)) {
      replyJson(response, 404, { Type: 'User', message: `Function not found: ${reference}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      return;
    }
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      replyJson(response, 400, { Type: 'User', message: 'Could not parse request body into json' }, { 'x-amzn-errortype': 'InvalidRequestContentException' });
      return;
    }
    void invoke(name, event).then((outcome) => {
      if ('error' in outcome) replyJson(response, 200, outcome.error, { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
      else replyJson(response, 200, outcome.result, { 'x-amz-executed-version': '$LATEST' });
    });
  });
}
