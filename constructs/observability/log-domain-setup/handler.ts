/**
 * Custom resource handler (CloudFormation invokes it directly; no provider framework) that sets up
 * the inside of the log domain through its REST API, with SigV4-signed requests as the domain's
 * master user: the role Firehose writes with, the operators' access, the index template of the
 * daily log indexes, and the ISM policy that deletes them after the retention. Every step is a
 * PUT of the whole desired state, so a create and an update do the same; a delete leaves the
 * domain (and its data) as it is.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** What the construct passes in the resource's properties (CloudFormation hands every value over as a string). */
export interface DomainSetupProperties {
  /** `https://<domain endpoint>`. */
  readonly DomainUrl: string;
  /** Index name prefix; the daily indexes are `<prefix>-YYYY-MM-DD`. */
  readonly IndexPrefix: string;
  /** Days a daily index is kept before ISM deletes it. */
  readonly RetentionDays: string;
  /** Primary shards per daily index. */
  readonly Shards: string;
  /** Replicas per shard. */
  readonly Replicas: string;
  /** ARN of the role Firehose delivers with. */
  readonly WriterRoleArn: string;
  /** ARNs of the roles given full access (the operators, and this function's own role). */
  readonly AdminRoleArns: string[];
}

/** One call to the domain's API. */
export interface DomainRequest {
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
}

/** Sends a request to the domain; resolves with the status and the parsed body. */
export type SendToDomain = (request: DomainRequest) => Promise<{ status: number; body: unknown }>;

/** The security role Firehose writes with: what AWS documents for Firehose delivery under fine-grained access control. */
export const WRITER_ROLE = 'log_writer';
/** The ISM policy that ages out the daily indexes. */
export const RETENTION_POLICY = 'log-retention';

/** The desired state, in order: security roles and mappings first, so the rest is made by a mapped master. */
export function setupRequests(properties: DomainSetupProperties): DomainRequest[] {
  const pattern = `${properties.IndexPrefix}-*`;
  const days = Number(properties.RetentionDays);
  if (!Number.isInteger(days) || days < 1) throw new Error(`RetentionDays is '${properties.RetentionDays}'; expected a whole number of days`);
  return [
    {
      method: 'PUT',
      path: `/_plugins/_security/api/roles/${WRITER_ROLE}`,
      body: {
        cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
        index_permissions: [{ index_patterns: [pattern], allowed_actions: ['crud', 'create_index', 'manage'] }],
      },
    },
    { method: 'PUT', path: `/_plugins/_security/api/rolesmapping/${WRITER_ROLE}`, body: { backend_roles: [properties.WriterRoleArn] } },
    { method: 'PUT', path: '/_plugins/_security/api/rolesmapping/all_access', body: { backend_roles: properties.AdminRoleArns } },
    { method: 'PUT', path: '/_plugins/_security/api/rolesmapping/security_manager', body: { backend_roles: properties.AdminRoleArns } },
    {
      method: 'PUT',
      path: `/_index_template/${properties.IndexPrefix}`,
      body: {
        index_patterns: [pattern],
        priority: 100,
        template: {
          settings: { number_of_shards: Number(properties.Shards), number_of_replicas: Number(properties.Replicas) },
          mappings: {
            // The fields every service logs (Powertools keys, Lambda JSON logs, the gateway access log), typed for search; the rest is mapped as it comes.
            properties: {
              timestamp: { type: 'date' },
              time: { type: 'date' },
              level: { type: 'keyword' },
              service: { type: 'keyword' },
              correlation_id: { type: 'keyword' },
              xray_trace_id: { type: 'keyword' },
              traceId: { type: 'keyword' },
              requestId: { type: 'keyword' },
              function_name: { type: 'keyword' },
              status: { type: 'keyword' },
              message: { type: 'text' },
            },
          },
        },
      },
    },
    {
      method: 'PUT',
      path: `/_plugins/_ism/policies/${RETENTION_POLICY}`,
      body: {
        policy: {
          description: `Deletes the ${pattern} indexes ${days} days after they are created`,
          default_state: 'hot',
          states: [
            { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }] },
            { name: 'delete', actions: [{ delete: {} }], transitions: [] },
          ],
          ism_template: [{ index_patterns: [pattern], priority: 100 }],
        },
      },
    },
  ];
}

/**
 * Applies the desired state. An ISM policy can only be replaced with the sequence number of the
 * one it replaces, so that step reads the current policy first.
 */
export async function applySetup(properties: DomainSetupProperties, send: SendToDomain): Promise<void> {
  for (const request of setupRequests(properties)) {
    let query = request.query;
    if (request.path.startsWith('/_plugins/_ism/policies/')) {
      const current = await send({ method: 'GET', path: request.path });
      if (current.status === 200) {
        const { _seq_no: seqNo, _primary_term: primaryTerm } = current.body as { _seq_no: number; _primary_term: number };
        query = { if_seq_no: String(seqNo), if_primary_term: String(primaryTerm) };
      } else if (current.status !== 404) {
        throw new Error(`GET ${request.path} answered ${current.status}: ${JSON.stringify(current.body)}`);
      }
    }
    const answer = await send({ ...request, query });
    if (answer.status < 200 || answer.status >= 300) {
      throw new Error(`${request.method} ${request.path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  }
}

/** Data the signer hands to the hash: text, bytes or a buffer. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 (and HMAC-SHA-256) from node:crypto, in the shape SignatureV4 takes. */
class Sha256 {
  #hash: Hash | Hmac;
  readonly #secret?: string | Uint8Array;
  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytesOf(secret);
    this.#hash = this.#fresh();
  }
  update(data: SourceData): void {
    this.#hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

/** Sends SigV4-signed requests (service `es`) to `baseUrl` with the credentials Lambda puts in the environment. */
export function signedSender(baseUrl: string, region: string, environment: NodeJS.ProcessEnv = process.env): SendToDomain {
  const signer = new SignatureV4({
    service: 'es',
    region,
    sha256: Sha256,
    credentials: async () => ({
      accessKeyId: environment.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: environment.AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: environment.AWS_SESSION_TOKEN,
    }),
  });
  const base = new URL(baseUrl);
  return async (request) => {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const signed = await signer.sign({
      method: request.method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port === '' ? undefined : Number(base.port),
      path: request.path,
      query: request.query,
      headers: { host: base.host, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
    });
    const url = new URL(request.path, base);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const response = await fetch(url, { method: request.method, headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(20_000) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: response.status, body: parsed };
  };
}

/** The parts of a CloudFormation custom resource event this handler reads. */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DomainSetupProperties & { ServiceToken: string };
}

/** Reports the outcome to CloudFormation (a PUT to the pre-signed response URL). */
async function respond(event: CustomResourceEvent, status: 'SUCCESS' | 'FAILED', reason: string): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 3000),
    PhysicalResourceId: event.PhysicalResourceId ?? `${event.LogicalResourceId}-${new URL(event.ResourceProperties.DomainUrl).hostname.split('.')[0]}`,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(body)) }, body, signal: AbortSignal.timeout(20_000) });
  if (!response.ok) throw new Error(`CloudFormation response URL answered ${response.status}`);
}

export async function handler(event: CustomResourceEvent): Promise<void> {
  try {
    if (event.RequestType !== 'Delete') {
      await applySetup(event.ResourceProperties, signedSender(event.ResourceProperties.DomainUrl, process.env.AWS_REGION ?? ''));
    }
    console.log(JSON.stringify({ level: 'INFO', message: 'log domain set up', requestType: event.RequestType }));
    await respond(event, 'SUCCESS', 'done');
  } catch (error) {
    console.log(JSON.stringify({ level: 'ERROR', message: 'log domain setup failed', error: (error as Error).message }));
    await respond(event, 'FAILED', (error as Error).message);
  }
}
