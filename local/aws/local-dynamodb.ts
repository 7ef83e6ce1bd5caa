/**
 * A DynamoDB-compatible server (dynalite, in memory) on 127.0.0.1 and a random port, for tests that
 * must speak the real DynamoDB protocol.
 */
import { CreateTableCommand, DynamoDBClient, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { IndexSpec, TableSpec } from '../../constructs/model/service-spec';
import { localClientConfig } from './aws-test-settings';

// dynalite ships no types; this is the part we use.
const dynalite = require('dynalite') as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** A client pointed at it. */
  readonly client: DynamoDBClient;
  /** A document client over `client`. */
  readonly documents: DynamoDBDocumentClient;
  /** Creates a table with the key schema a service spec declares, and its secondary indexes. */
  createTable(name: string, table: TableSpec, indexes?: readonly IndexSpec[]): Promise<void>;
  /** Creates an event store as `LambdaMicroservice` makes it: `streamId` (string) and `version` (number). */
  createEventStore(name: string): Promise<void>;
  /** Every item of a table. */
  scan(name: string): Promise<Record<string, unknown>[]>;
  /** Stops the server and the clients. */
  stop(): Promise<void>;
}

export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  const documents = DynamoDBDocumentClient.from(client);

  return {
    endpoint,
    client,
    documents,
    async createTable(name, table, indexes = []) {
      const keySchema = (key: { partitionKey: string; sortKey?: string }): KeySchemaElement[] => [
        { AttributeName: key.partitionKey, KeyType: 'HASH' },
        ...(key.sortKey === undefined ? [] : [{ AttributeName: key.sortKey, KeyType: 'RANGE' as const }]),
      ];
      const keys = keySchema(table);
      const attributes = new Set([...keys, ...indexes.flatMap(keySchema)].map((key) => key.AttributeName!));
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: keys,
          AttributeDefinitions: [...attributes].map((attribute) => ({ AttributeName: attribute, AttributeType: 'S' })),
          GlobalSecondaryIndexes: indexes.length === 0 ? undefined : indexes.map((index) => ({ IndexName: index.name, KeySchema: keySchema(index), Projection: { ProjectionType: 'ALL' } })),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async createEventStore(name) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
          AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }, { AttributeName: 'version', AttributeType: 'N' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    },
    async scan(name) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: name, ExclusiveStartKey: startKey, ConsistentRead: true }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return items;
    },
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
