/**
 * Realistic API Gateway REST API (Lambda proxy integration, payload v1) events and Lambda contexts.
 */
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { callerIdentity } from '../../local/edge/local-edge';

/** What a test says about a request; everything else is filled in as API Gateway would. */
export interface RequestShape {
  readonly method: string;
  /** The matched resource template, e.g. `/orders/{id}`. */
  readonly resource: string;
  /** The actual path, e.g. `/orders/1b4e...`. @default resource */
  readonly path?: string;
  readonly pathParameters?: Record<string, string>;
  /** Query string parameters, e.g. `{ limit: '10' }`. @default none */
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON. */
  readonly body?: unknown;
}

export function apiGatewayEvent(shape: RequestShape): APIGatewayProxyEvent {
  const path = shape.path ?? shape.resource;
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Host: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'jest',
    'X-Amzn-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...(shape.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...shape.headers,
  };
  return {
    resource: shape.resource,
    path,
    httpMethod: shape.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: shape.query ?? null,
    multiValueQueryStringParameters: shape.query ? Object.fromEntries(Object.entries(shape.query).map(([name, value]) => [name, [value]])) : null,
    pathParameters: shape.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      authorizer: { claims: { sub: 'user-1', scope: 'orders.write orders.read' } },
      domainName: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123defg',
      extendedRequestId: 'Ab1CdEfGhIjKlMn=',
      httpMethod: shape.method,
      identity: callerIdentity('203.0.113.10', 'jest'),
      path: `/dev${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: '24/Nov/2025:17:00:00 +0000',
      requestTimeEpoch: Date.now(),
      resourceId: 'a1b2c3',
      resourcePath: shape.resource,
      stage: 'dev',
    },
    body: shape.body === undefined ? null : typeof shape.body === 'string' ? shape.body : JSON.stringify(shape.body),
    isBase64Encoded: false,
  };
}

/** A Lambda context for a function with a 10 second timeout, counting down from now. */
export function lambdaContext(functionName = 'shop-dev-orders'): Context {
  const deadline = Date.now() + 10_000;
  const unsupported = () => {
    throw new Error('the callback API is not used by async handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/11/24/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
