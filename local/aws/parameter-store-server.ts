/**
 * A stand-in for Parameter Store on 127.0.0.1: a small HTTP server that answers the SSM JSON protocol
 * (`X-Amz-Target: AmazonSSM.GetParametersByPath`) from an in-memory map, and counts the calls.
 *
 * Parameter Store has no local form, so this is the one place the tests replace AWS; everything
 * above the wire (SDK client, Powertools provider, our config reader) is the real code.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { localClientConfig } from './aws-test-settings';
import { startJsonProtocolServer } from './local-http-server';

/** SSM returns at most this many parameters per page. */
const PAGE_SIZE = 10;

/** A running fake Parameter Store. */
export interface ParameterStoreServer {
  readonly endpoint: string;
  /** How many GetParametersByPath calls it has answered (each page counts). */
  readonly getParametersByPathCalls: number;
  /** Creates or changes a parameter. */
  put(name: string, value: string): void;
  /** An SSM client pointed at it; destroyed by `stop`. */
  client(): SSMClient;
  stop(): Promise<void>;
}

interface GetParametersByPathRequest {
  Path: string;
  Recursive?: boolean;
  NextToken?: string;
  MaxResults?: number;
}

export async function startParameterStoreServer(initial: Record<string, string> = {}): Promise<ParameterStoreServer> {
  const parameters = new Map<string, { value: string; version: number }>();
  const put = (name: string, value: string) => parameters.set(name, { value, version: (parameters.get(name)?.version ?? 0) + 1 });
  Object.entries(initial).forEach(([name, value]) => put(name, value));
  const clients: SSMClient[] = [];
  let calls = 0;

  const getParametersByPath = (request: GetParametersByPathRequest) => {
    calls += 1;
    const prefix = request.Path.endsWith('/') ? request.Path : `${request.Path}/`;
    const names = [...parameters.keys()]
      .filter((name) => name.startsWith(prefix) && (request.Recursive === true || !name.slice(prefix.length).includes('/')))
      .sort();
    const start = request.NextToken === undefined ? 0 : Number(request.NextToken);
    const end = start + Math.min(request.MaxResults ?? PAGE_SIZE, PAGE_SIZE);
    return {
      Parameters: names.slice(start, end).map((name) => {
        const { value, version } = parameters.get(name)!;
        return { Name: name, Type: 'String', Value: value, Version: version, DataType: 'text', ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${name}` };
      }),
      ...(end < names.length ? { NextToken: String(end) } : {}),
    };
  };

  const server = await startJsonProtocolServer((target, body) =>
    target === 'AmazonSSM.GetParametersByPath'
      ? { status: 200, body: getParametersByPath(body as GetParametersByPathRequest) }
      : { status: 400, body: { __type: 'UnknownOperationException', message: `this fake answers only AmazonSSM.GetParametersByPath, not ${target}` } },
  );
  const endpoint = server.endpoint;

  return {
    endpoint,
    get getParametersByPathCalls() {
      return calls;
    },
    put,
    client() {
      const client = new SSMClient(localClientConfig(endpoint));
      clients.push(client);
      return client;
    },
    async stop() {
      clients.forEach((client) => client.destroy());
      await server.stop();
    },
  };
}
