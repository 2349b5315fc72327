import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { createTableInput } from '#shared/table/definition';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalDynamo {
  endpoint: string;
  region: string;
  /** A client for the endpoint (static local credentials unless DYNAMODB_ENDPOINT points elsewhere). */
  client: DynamoDBClient;
  /** Creates the migration table from the shared definition and waits until it is ACTIVE. */
  createMigrationTable(tableName: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts dynalite in-process on 127.0.0.1 (a free port), or, when `DYNAMODB_ENDPOINT` is set,
 * uses that endpoint (DynamoDB Local, or AWS) and starts nothing.
 */
/** Starts dynalite in a worker thread (see dynalite-thread.cjs) and returns its endpoint. */
const startDynaliteThread = async (
  options: Record<string, unknown>,
): Promise<{ endpoint: string; close: () => Promise<undefined> }> => {
  const worker = new Worker(join(__dirname, 'dynalite-thread.cjs'), { workerData: options });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage('close');
      await exited;
      return undefined;
    },
  };
};

export const startLocalDynamo = async (
  options: {
    endpoint?: string;
    region?: string;
    path?: string;
    /** Serve from a worker thread, so a busy process uses a second core for the table. */
    thread?: boolean;
  } = {},
): Promise<LocalDynamo> => {
  const region = options.region ?? 'us-east-1';
  const external = options.endpoint ?? process.env.DYNAMODB_ENDPOINT;
  let close = async () => undefined;
  let endpoint: string;
  const dynaliteOptions = {
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  };
  if (external) {
    endpoint = external;
  } else if (options.thread) {
    ({ endpoint, close } = await startDynaliteThread(dynaliteOptions));
  } else {
    const server = dynalite(dynaliteOptions);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<undefined>((resolve) => server.close(() => resolve(undefined)));
  }
  const client = new DynamoDBClient({
    region,
    endpoint,
    ...(external ? {} : { credentials: LOCAL_CREDENTIALS }),
  });
  return {
    endpoint,
    region,
    client,
    createMigrationTable: async (tableName) => {
      try {
        await client.send(new CreateTableCommand(createTableInput(tableName)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`Table ${tableName} did not become ACTIVE`);
    },
    close: async () => {
      client.destroy();
      await close();
    },
  };
};
