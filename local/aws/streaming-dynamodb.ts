/**
 * DynamoDB for the local platform: dynalite (in memory) behind a small pass-through that gives the
 * tables with a stream what dynalite lacks, their stream. Every `PutItem` (and each put of a
 * `BatchWriteItem`) that succeeds on such a table becomes a stream record (`INSERT`, or `MODIFY`
 * when it replaced an item) carrying the item as its new image, handed to `onRecord` in order.
 * Everything else is dynalite's own answer, byte for byte.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { LocalTable } from '../assembly/platform-model';
import { startLocalDynamoDb, type LocalDynamoDb } from './local-dynamodb';
import { startLoopbackServer } from './loopback-server';

/** A DynamoDB stream record, as Lambda receives it in `Records`. */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY';
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly eventSourceARN: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, AttributeValue>;
    readonly NewImage: Record<string, AttributeValue>;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: 'NEW_IMAGE';
  };
}

/** A table to create, in CloudFormation's terms, and whether it has a stream. */
export type TableDefinition = Pick<LocalTable, 'name' | 'keySchema' | 'attributeDefinitions' | 'globalSecondaryIndexes' | 'stream'>;

export interface StreamingDynamoDb {
  /** The endpoint services are pointed at (the pass-through). */
  readonly endpoint: string;
  /** dynalite itself, with its clients. */
  readonly dynalite: LocalDynamoDb;
  createTables(tables: readonly TableDefinition[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamingDynamoDb(props: { readonly region: string; readonly onRecord: (tableName: string, record: StreamRecord) => void }): Promise<StreamingDynamoDb> {
  const dynalite = await startLocalDynamoDb();
  const keys = new Map<string, string[]>();
  let sequence = 0;

  const emit = (tableName: string, item: Record<string, AttributeValue>, replaced: boolean) => {
    const keyNames = keys.get(tableName)!;
    sequence += 1;
    props.onRecord(tableName, {
      eventID: randomUUID(),
      eventName: replaced ? 'MODIFY' : 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: props.region,
      eventSourceARN: `arn:aws:dynamodb:${props.region}:000000000000:table/${tableName}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: Object.fromEntries(keyNames.map((name) => [name, item[name]])),
        NewImage: item,
        SequenceNumber: String(sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(item).length,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  };

  const forward = (request: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = http.request(`${dynalite.endpoint}${request.url ?? '/'}`, { method: request.method, headers: { ...request.headers, 'content-length': String(body.length) } }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 500, headers: answer.headers, body: Buffer.concat(chunks) }));
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  const server = await startLoopbackServer((request, body, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop();
    let parsed: Record<string, any> | undefined;
    let askedForOld = true;
    let sent = body;
    if (operation === 'PutItem') {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, any>;
      if (keys.has(parsed.TableName) && parsed.ReturnValues === undefined) {
        // Ask for the replaced item to tell INSERT from MODIFY; the caller did not ask, so it is not passed back.
        askedForOld = false;
        sent = Buffer.from(JSON.stringify({ ...parsed, ReturnValues: 'ALL_OLD' }));
      }
    } else if (operation === 'BatchWriteItem') {
      parsed = JSON.parse(body.toString('utf8')) as Record<string, any>;
    }
    forward(request, sent).then(
      (answer) => {
        let answerBody = answer.body;
        if (answer.status === 200 && parsed !== undefined) {
          if (operation === 'PutItem' && keys.has(parsed.TableName)) {
            const result = JSON.parse(answer.body.toString('utf8')) as { Attributes?: unknown };
            emit(parsed.TableName, parsed.Item, result.Attributes !== undefined);
            if (!askedForOld) {
              delete result.Attributes;
              answerBody = Buffer.from(JSON.stringify(result));
            }
          } else if (operation === 'BatchWriteItem') {
            const unprocessed = (JSON.parse(answer.body.toString('utf8')) as { UnprocessedItems?: Record<string, unknown[]> }).UnprocessedItems ?? {};
            for (const [tableName, requests] of Object.entries(parsed.RequestItems as Record<string, { PutRequest?: { Item: Record<string, AttributeValue> } }[]>)) {
              if (!keys.has(tableName) || (unprocessed[tableName]?.length ?? 0) > 0) continue;
              for (const put of requests) if (put.PutRequest !== undefined) emit(tableName, put.PutRequest.Item, false);
            }
          }
        }
        const headers: http.OutgoingHttpHeaders = { ...answer.headers, 'content-length': String(answerBody.length) };
        delete headers['x-amz-crc32'];
        response.writeHead(answer.status, headers);
        response.end(answerBody);
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: error.message }));
      },
    );
  });

  return {
    endpoint: server.endpoint,
    dynalite,
    async createTables(tables) {
      for (const table of tables) {
        await dynalite.client.send(
          new CreateTableCommand({
            TableName: table.name,
            KeySchema: table.keySchema,
            AttributeDefinitions: table.attributeDefinitions,
            GlobalSecondaryIndexes: table.globalSecondaryIndexes,
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        if (table.stream) keys.set(table.name, table.keySchema.map((key) => key.AttributeName));
      }
    },
    async stop() {
      await server.stop();
      await dynalite.stop();
    },
  };
}
