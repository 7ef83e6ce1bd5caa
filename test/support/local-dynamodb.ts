/**
 * A DynamoDB-compatible server (dynalite, in memory) on 127.0.0.1 and a random port, for tests that
 * must speak the real DynamoDB protocol.
 */
import { CreateTableCommand, DynamoDBClient, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { TableSpec } from '../../constructs/model/service-spec';
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
  /** Creates a table with the key schema a service spec declares. */
  createTable(name: string, table: TableSpec): Promise<void>;
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
    async createTable(name, table) {
      const keys: KeySchemaElement[] = [{ AttributeName: table.partitionKey, KeyType: 'HASH' }];
      if (table.sortKey !== undefined) keys.push({ AttributeName: table.sortKey, KeyType: 'RANGE' });
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: keys,
          AttributeDefinitions: keys.map((key) => ({ AttributeName: key.AttributeName, AttributeType: 'S' })),
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
