/**
 * A stand-in for the AppConfig data API on loopback (`StartConfigurationSession`,
 * `GetLatestConfiguration`, REST JSON), serving one document per configuration profile from memory
 * and counting the fetches. As AppConfig does, it sends the document only when it changed since
 * the token's last answer, and an empty body otherwise. Everything above the wire (SDK client,
 * Powertools AppConfigProvider, our flag reader) is the real code.
 */
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { randomUUID } from 'node:crypto';
import { localClientConfig } from './aws-test-settings';
import { replyJson, startLoopbackServer } from './loopback-server';

export interface AppConfigDataServer {
  readonly endpoint: string;
  /** GetLatestConfiguration calls answered. */
  readonly fetches: number;
  /** Deploys a new version of a profile's document. */
  deploy(profile: string, document: unknown): void;
  client(): AppConfigDataClient;
  stop(): Promise<void>;
}

export async function startAppConfigDataServer(documents: Record<string, unknown>): Promise<AppConfigDataServer> {
  const versions = new Map<string, { body: string; version: number }>();
  const deploy = (profile: string, document: unknown) => versions.set(profile, { body: JSON.stringify(document), version: (versions.get(profile)?.version ?? 0) + 1 });
  Object.entries(documents).forEach(([profile, document]) => deploy(profile, document));
  /** Token to the profile it polls and the version it last saw. */
  const tokens = new Map<string, { profile: string; seen: number }>();
  const clients: AppConfigDataClient[] = [];
  let fetches = 0;

  const server = await startLoopbackServer((request, body, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const json = (status: number, answer: unknown, headers: Record<string, string> = {}) => replyJson(response, status, answer, headers);
    if (request.method === 'POST' && url.pathname === '/configurationsessions') {
      const { ConfigurationProfileIdentifier: profile } = JSON.parse(body.toString('utf8')) as { ConfigurationProfileIdentifier: string };
      if (!versions.has(profile)) return json(404, { Message: `no profile ${profile}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
      const token = randomUUID();
      tokens.set(token, { profile, seen: 0 });
      return json(201, { InitialConfigurationToken: token });
    }
    if (request.method === 'GET' && url.pathname === '/configuration') {
      const polled = tokens.get(url.searchParams.get('configuration_token') ?? '');
      if (polled === undefined) return json(400, { Message: 'bad token' }, { 'x-amzn-errortype': 'BadRequestException' });
      fetches += 1;
      const current = versions.get(polled.profile)!;
      const next = randomUUID();
      tokens.set(next, { profile: polled.profile, seen: current.version });
      response.writeHead(200, {
        'content-type': 'application/json',
        'next-poll-configuration-token': next,
        'next-poll-interval-in-seconds': '15',
        'version-label': String(current.version),
      });
      response.end(current.version === polled.seen ? '' : current.body);
      return;
    }
    json(404, { Message: `no route ${request.method} ${url.pathname}` });
  });
  const endpoint = server.endpoint;
  return {
    endpoint,
    get fetches() {
      return fetches;
    },
    deploy,
    client() {
      const client = new AppConfigDataClient(localClientConfig(endpoint));
      clients.push(client);
      return client;
    },
    stop: async () => {
      clients.forEach((client) => client.destroy());
      await server.stop();
    },
  };
}
