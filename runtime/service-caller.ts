/**
 * Calling another platform service by name: its endpoint is discovered, then the request goes the
 * way the endpoint says. A Lambda service is invoked directly with the API Gateway proxy event its
 * handler already takes (the caller holds `lambda:InvokeFunction` on exactly that function); a
 * container service is called over HTTP at the URL it registered (a Fargate service's internal load
 * balancer, a Kubernetes Service's cluster DNS name).
 *
 * A 5xx answer, an invocation error or a network failure is thrown as a {@link DownstreamError},
 * so breakers count it; any other status is an answer (a 404 is a fact, not a failure).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpServiceEndpoint, ServiceDiscovery, ServiceEndpoint } from './discovery';
import { CORRELATION_ID_HEADER } from './http-request';

/** A request to a route of another service. */
export interface ServiceRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route template as in the callee's spec, e.g. `/orders/{id}`. */
  readonly resource: string;
  /** Values of the template's parameters. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly correlationId: string;
  readonly body?: unknown;
}

/** The callee's answer, its JSON body parsed. */
export interface ServiceResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/** The call failed (5xx, invocation error, network); breakers count it. */
export class DownstreamError extends Error {
  constructor(
    public readonly serviceName: string,
    reason: string,
  ) {
    super(`call to '${serviceName}' failed: ${reason}`);
    this.name = 'DownstreamError';
  }
}

/** Properties of a {@link ServiceCaller}. */
export interface ServiceCallerProps {
  readonly discovery: Pick<ServiceDiscovery, 'resolve'>;
  /** @default - a new LambdaClient */
  readonly lambda?: LambdaClient;
}

/** Calls services by name; make one per container. */
export class ServiceCaller {
  readonly #discovery: Pick<ServiceDiscovery, 'resolve'>;
  readonly #lambda: LambdaClient;

  constructor(props: ServiceCallerProps) {
    this.#discovery = props.discovery;
    this.#lambda = props.lambda ?? new LambdaClient({});
  }

  /** Sends `request` to `serviceName`; `signal` abandons it. */
  async call(serviceName: string, request: ServiceRequest, signal: AbortSignal): Promise<ServiceResponse> {
    const endpoint = await this.#discovery.resolve(serviceName);
    const path = request.resource.replace(/\{([A-Za-z0-9]+)\}/g, (_, name: string) => encodeURIComponent(request.pathParameters?.[name] ?? ''));
    const result = endpoint.runtime === 'lambda'
      ? await this.#invoke(serviceName, endpoint, proxyEvent(request, path), signal)
      : await this.#fetch(serviceName, endpoint, request, path, signal);
    if (result.statusCode >= 500) throw new DownstreamError(serviceName, `it answered ${result.statusCode}`);
    return result;
  }

  async #invoke(serviceName: string, endpoint: Extract<ServiceEndpoint, { runtime: 'lambda' }>, event: APIGatewayProxyEvent, signal: AbortSignal): Promise<ServiceResponse> {
    let output;
    try {
      output = await this.#lambda.send(new InvokeCommand({ FunctionName: endpoint.functionArn, Payload: Buffer.from(JSON.stringify(event)) }), { abortSignal: signal });
    } catch (error) {
      throw new DownstreamError(serviceName, `invoking ${endpoint.functionName} failed: ${(error as Error).message}`);
    }
    const text = output.Payload === undefined ? '' : Buffer.from(output.Payload).toString('utf8');
    if (output.FunctionError !== undefined) throw new DownstreamError(serviceName, `${endpoint.functionName} raised ${output.FunctionError}: ${text.slice(0, 200)}`);
    const result = JSON.parse(text) as APIGatewayProxyResult;
    return { statusCode: result.statusCode, body: parseJson(result.body) };
  }

  async #fetch(serviceName: string, endpoint: HttpServiceEndpoint, request: ServiceRequest, path: string, signal: AbortSignal): Promise<ServiceResponse> {
    let response: Response;
    try {
      response = await fetch(`${endpoint.url}${path}`, {
        method: request.method,
        headers: { accept: 'application/json', [CORRELATION_ID_HEADER]: request.correlationId, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal,
      });
    } catch (error) {
      throw new DownstreamError(serviceName, `${endpoint.url} did not answer: ${(error as Error).message}`);
    }
    return { statusCode: response.status, body: parseJson(await response.text()) };
  }
}

function parseJson(text: string | undefined | null): unknown {
  if (text === undefined || text === null || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The proxy event a REST API would send the callee for this request. */
function proxyEvent(request: ServiceRequest, path: string): APIGatewayProxyEvent {
  const requestId = `${request.correlationId}:${Date.now().toString(36)}`;
  return {
    httpMethod: request.method,
    path,
    resource: request.resource,
    pathParameters: request.pathParameters === undefined ? null : { ...request.pathParameters },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    headers: { [CORRELATION_ID_HEADER]: request.correlationId, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
    multiValueHeaders: {},
    body: request.body === undefined ? null : JSON.stringify(request.body),
    isBase64Encoded: false,
    stageVariables: null,
    requestContext: { requestId, httpMethod: request.method, path, resourcePath: request.resource } as APIGatewayProxyEvent['requestContext'],
  };
}
