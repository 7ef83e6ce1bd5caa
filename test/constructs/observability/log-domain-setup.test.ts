/**
 * The log domain setup function against a loopback stand-in for the OpenSearch REST API and for
 * CloudFormation's response URL: what it asks the domain, signed how, and what it reports.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CustomResourceEvent, DomainSetupProperties, RETENTION_POLICY, WRITER_ROLE, handler, setupRequests } from '../../../constructs/observability/log-domain-setup/handler';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A loopback server that records requests and answers with `answer`. */
async function loopback(answer: (request: Received) => [number, unknown]): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const entry = { method: request.method!, url: request.url!, headers: request.headers, body: text === '' ? undefined : JSON.parse(text) };
      received.push(entry);
      const [status, body] = answer(entry);
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** What a verifier holding the same credentials computes for the request as it arrived (path, query, body, host, date). */
async function expectedAuthorization(request: Received): Promise<string> {
  class Sha256 {
    private readonly parts: Buffer[] = [];
    constructor(private readonly secret?: string | Uint8Array) {}
    update(data: string | Uint8Array): void {
      this.parts.push(Buffer.from(data as Uint8Array));
    }
    async digest(): Promise<Uint8Array> {
      const data = Buffer.concat(this.parts);
      return new Uint8Array(this.secret === undefined ? createHash('sha256').update(data).digest() : createHmac('sha256', this.secret).update(data).digest());
    }
    reset(): void {
      this.parts.length = 0;
    }
  }
  const verifier = new SignatureV4({ service: 'es', region: 'eu-west-1', sha256: Sha256 as never, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' } });
  const url = new URL(request.url, `http://${request.headers.host}`);
  const date = String(request.headers['x-amz-date']);
  const signed = await verifier.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: String(request.headers.host), ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    },
    { signingDate: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`) },
  );
  return String(signed.headers.authorization);
}

const properties = (domainUrl: string): DomainSetupProperties => ({
  DomainUrl: domainUrl,
  IndexPrefix: 'logs',
  RetentionDays: '14',
  Shards: '1',
  Replicas: '0',
  WriterRoleArn: 'arn:aws:iam::111122223333:role/firehose-delivery',
  AdminRoleArns: ['arn:aws:iam::111122223333:role/master', 'arn:aws:iam::111122223333:role/operators'],
});

const event = (requestType: CustomResourceEvent['RequestType'], domainUrl: string, responseUrl: string): CustomResourceEvent => ({
  RequestType: requestType,
  ResponseURL: `${responseUrl}/cfn-response?signature=x`,
  StackId: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/shop-dev-observability/1',
  RequestId: 'request-1',
  LogicalResourceId: 'LogsSetup',
  ResourceProperties: { ...properties(domainUrl), ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:shop-dev-logs-setup' },
});

describe('log domain setup', () => {
  const saved = { ...process.env };
  let log: jest.SpyInstance;
  beforeAll(() => {
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(() => {
    process.env = saved;
    log.mockRestore();
  });

  test('maps the Firehose role to a writer role and the operators to full access, then sets the template and retention', () => {
    const requests = setupRequests(properties('https://vpc-shop-dev-logs.eu-west-1.es.amazonaws.com'));
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /_plugins/_security/api/roles/${WRITER_ROLE}`,
      `PUT /_plugins/_security/api/rolesmapping/${WRITER_ROLE}`,
      'PUT /_plugins/_security/api/rolesmapping/all_access',
      'PUT /_plugins/_security/api/rolesmapping/security_manager',
      'PUT /_index_template/logs',
      `PUT /_plugins/_ism/policies/${RETENTION_POLICY}`,
    ]);
    expect(requests[1].body).toEqual({ backend_roles: ['arn:aws:iam::111122223333:role/firehose-delivery'] });
    expect(requests[2].body).toEqual({ backend_roles: ['arn:aws:iam::111122223333:role/master', 'arn:aws:iam::111122223333:role/operators'] });
    expect(requests[4].body).toMatchObject({ index_patterns: ['logs-*'], template: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: { properties: { correlation_id: { type: 'keyword' } } } } });
    expect(requests[5].body).toMatchObject({
      policy: { ism_template: [{ index_patterns: ['logs-*'] }], states: [{ name: 'hot', transitions: [{ state_name: 'delete', conditions: { min_index_age: '14d' } }] }, { name: 'delete', actions: [{ delete: {} }] }] },
    });
  });

  test('on create: signs every call to the domain with SigV4 for es, replaces an existing ISM policy by its sequence number, and reports SUCCESS', async () => {
    const domain = await loopback((r) => (r.method === 'GET' ? [200, { _id: RETENTION_POLICY, _seq_no: 7, _primary_term: 2, policy: {} }] : [200, { status: 'OK' }]));
    const cloudFormation = await loopback(() => [200, {}]);
    try {
      await handler(event('Create', domain.url, cloudFormation.url));
      expect(domain.received.map((r) => `${r.method} ${r.url}`)).toEqual([
        `PUT /_plugins/_security/api/roles/${WRITER_ROLE}`,
        `PUT /_plugins/_security/api/rolesmapping/${WRITER_ROLE}`,
        'PUT /_plugins/_security/api/rolesmapping/all_access',
        'PUT /_plugins/_security/api/rolesmapping/security_manager',
        'PUT /_index_template/logs',
        `GET /_plugins/_ism/policies/${RETENTION_POLICY}`,
        `PUT /_plugins/_ism/policies/${RETENTION_POLICY}?if_seq_no=7&if_primary_term=2`,
      ]);
      for (const request of domain.received) {
        expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
        expect(request.headers['x-amz-security-token']).toBe('token');
        expect(request.headers.authorization).toBe(await expectedAuthorization(request));
      }
      expect(cloudFormation.received).toHaveLength(1);
      expect(cloudFormation.received[0]).toMatchObject({ method: 'PUT', url: '/cfn-response?signature=x', body: { Status: 'SUCCESS', RequestId: 'request-1', LogicalResourceId: 'LogsSetup' } });
    } finally {
      await domain.close();
      await cloudFormation.close();
    }
  });

  test('when the domain refuses a call: stops there and reports FAILED with the answer, so the deployment fails visibly', async () => {
    const domain = await loopback((r) => (r.url.includes('rolesmapping/all_access') ? [403, { error: 'no permissions for [cluster:admin/opendistro/security]' }] : [200, {}]));
    const cloudFormation = await loopback(() => [200, {}]);
    try {
      await handler(event('Update', domain.url, cloudFormation.url));
      expect(domain.received).toHaveLength(3);
      expect(cloudFormation.received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('PUT /_plugins/_security/api/rolesmapping/all_access answered 403') });
    } finally {
      await domain.close();
      await cloudFormation.close();
    }
  });

  test('a first ISM policy is created without a sequence number; a delete leaves the domain alone', async () => {
    const domain = await loopback((r) => (r.method === 'GET' ? [404, { error: 'not found' }] : [201, {}]));
    const cloudFormation = await loopback(() => [200, {}]);
    try {
      await handler(event('Create', domain.url, cloudFormation.url));
      expect(domain.received.at(-1)?.url).toBe(`/_plugins/_ism/policies/${RETENTION_POLICY}`);
      domain.received.length = 0;
      await handler({ ...event('Delete', domain.url, cloudFormation.url), PhysicalResourceId: 'LogsSetup-vpc-shop' });
      expect(domain.received).toHaveLength(0);
      expect(cloudFormation.received.at(-1)?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'LogsSetup-vpc-shop' });
    } finally {
      await domain.close();
      await cloudFormation.close();
    }
  });
});
