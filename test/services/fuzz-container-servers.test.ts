/**
 * Fuzz: each container service as a real process (bundled as its Dockerfile bundles it, started
 * with `node`) is sent 500 generated malformed requests as raw bytes over TCP on 127.0.0.1, each on
 * a fresh connection: its routes' requests broken in one to three ways, and broken HTTP. Every
 * answer must be a 4xx with a JSON error body, nothing may be written, and the process must stay
 * up (still serving, still exiting 0 on SIGTERM). Bounded: 500 runs, and a time limit that fails
 * the test if the runs are not done by then.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as fc from 'fast-check';
import { CATALOG_ROUTES } from '../../services/catalog/catalog-api';
import { catalog } from '../../services/catalog/service';
import { PRICING_ROUTES } from '../../services/pricing/pricing-api';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-test-settings';
import { RunningProcess, bundleContainerEntry, startProcess } from '../support/container-process';
import { LocalDynamoDb, startLocalDynamoDb } from '../support/local-dynamodb';
import { RawRequest, RouteFixture, malformedRawRequests } from '../support/malformed-requests';
import { ParameterStoreServer, startParameterStoreServer } from '../support/parameter-store-server';
import { isJsonClientError, sendRaw } from '../support/raw-http';

const RUNS = 500;
const TIME_LIMIT_MS = 150_000;

/** Sends every generated request to the process on `port` and checks each answer and that the process lives on. */
async function fuzz(server: RunningProcess, port: number, requests: fc.Arbitrary<RawRequest>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const reply = await sendRaw(port, request.bytes);
      if (!isJsonClientError(reply, request.method)) {
        throw new Error(`${request.defects.join('; ')}: answered ${reply.status ?? reply.error ?? 'nothing'} ${reply.body.slice(0, 200)}`);
      }
      if (server.child.exitCode !== null) throw new Error(`the process exited with ${server.child.exitCode} after: ${request.defects.join('; ')}`);
    }),
    { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS, { failOnInterrupt: true })] },
  );
  const health = await sendRaw(port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(health.status).toBe(200);
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  expect(server.logs().filter((line) => line.level === 'ERROR')).toEqual([]);
}

describe('fuzz: catalog process', () => {
  const TABLE = 'catalog-fuzz';
  const CONFIG_PATH = '/shop/fuzz/catalog';
  let dynamodb: LocalDynamoDb;
  let parameterStore: ParameterStoreServer;
  let server: RunningProcess;
  let port: number;

  beforeAll(async () => {
    const bundle = bundleContainerEntry('services/catalog/server.ts');
    dynamodb = await startLocalDynamoDb();
    await dynamodb.createTable(TABLE, catalog.table!);
    await dynamodb.documents.send(new PutCommand({ TableName: TABLE, Item: { id: 'kettle', name: 'Gooseneck kettle', priceMinor: 6900, currency: 'EUR', category: 'coffee' } }));
    parameterStore = await startParameterStoreServer({ [`${CONFIG_PATH}/defaultPageSize`]: '2', [`${CONFIG_PATH}/maxPageSize`]: '3' });
    server = startProcess(bundle, {
      PORT: '0',
      TABLE_NAME: TABLE,
      CONFIG_PATH,
      POWERTOOLS_SERVICE_NAME: 'catalog',
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_SSM: parameterStore.endpoint,
    });
    port = await portOf(server);
  }, 60_000);
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await parameterStore.stop();
    await dynamodb.stop();
  });

  test(`${RUNS} malformed requests: each a 4xx with a JSON error body, nothing written, the process up`, async () => {
    const fixtures: RouteFixture[] = [{ route: CATALOG_ROUTES[0] }, { route: CATALOG_ROUTES[1], pathParameters: { id: 'kettle' } }];
    const before = await dynamodb.scan(TABLE);
    await fuzz(server, port, malformedRawRequests(fixtures));
    expect(await dynamodb.scan(TABLE)).toEqual(before);
  }, TIME_LIMIT_MS + 30_000);
});

describe('fuzz: pricing process', () => {
  let server: RunningProcess;
  let port: number;

  beforeAll(async () => {
    const bundle = bundleContainerEntry('services/pricing/server.ts');
    server = startProcess(bundle, { PORT: '0', CONFIG_taxRatePercent: '19', CONFIG_currency: 'EUR' });
    port = await portOf(server);
  }, 60_000);
  afterAll(() => server.child.kill('SIGKILL'));

  test(`${RUNS} malformed requests: each a 4xx with a JSON error body, the process up`, async () => {
    const fixtures: RouteFixture[] = [
      { route: PRICING_ROUTES[0], body: { items: [{ sku: 'a-1', unitPriceCents: 250, quantity: 2 }] } },
      { route: PRICING_ROUTES[1] },
    ];
    // Pricing keeps nothing: there is nothing it could write.
    await fuzz(server, port, malformedRawRequests(fixtures));
  }, TIME_LIMIT_MS + 30_000);
});

/** The port a process started with PORT=0 bound, from its `listening` line. */
async function portOf(server: RunningProcess): Promise<number> {
  return Number((await server.waitForLog((line) => line.message === 'listening')).port);
}
