import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';
import { MAX_REQUEST_BYTES, startLocalEventBridge, type LocalEventBridge } from '#local/eventbridge/index';
import { userMigratedEntry } from '#shared/migration-events';
import { motoServerPath, startMoto, type Moto } from '../../support/moto';

const MOTO = motoServerPath();

const clientFor = (endpoint: string) =>
  new EventBridgeClient({
    region: 'us-east-1',
    endpoint,
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 1,
  });

const anEntry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'cognito-migrate',
  DetailType: 'UserMigrated',
  Detail: JSON.stringify({ sourceUsername: 'jane' }),
  ...overrides,
});

/** What a caller can see of a PutEvents answer, without the random event ids. */
const shape = (entries: PutEventsResultEntry[] | undefined) =>
  (entries ?? []).map((e) => (e.ErrorCode ? { ErrorCode: e.ErrorCode } : { EventId: typeof e.EventId }));

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as Error).name;
  }
};

describe('local EventBridge (PutEvents)', () => {
  let bridge: LocalEventBridge;
  let client: EventBridgeClient;

  beforeEach(async () => {
    bridge = await startLocalEventBridge({ buses: ['migration-events'] });
    client = clientFor(bridge.endpoint);
  });
  afterEach(async () => {
    client.destroy();
    await bridge.close();
  });

  it('records an accepted event with its id and lists it at /local/events', async () => {
    const subject = { username: 'jane', sub: 's-1', targetSub: 't-1', method: 'password' as const };

    const result = await client.send(
      new PutEventsCommand({ Entries: [userMigratedEntry(subject, 'migration-events')] }),
    );
    const listed = (await (await fetch(`${bridge.endpoint}/local/events`)).json()) as {
      events: { id: string }[];
    };

    expect(result.FailedEntryCount).toBe(0);
    expect(listed.events).toEqual([
      expect.objectContaining({
        id: result.Entries![0]!.EventId,
        source: 'cognito-migrate',
        detailType: 'UserMigrated',
        eventBusName: 'migration-events',
        detail: expect.objectContaining({ sourceUsername: 'jane', targetSub: 't-1' }),
      }),
    ]);
  });

  it('refuses more than 10 entries in one request, recording nothing', async () => {
    const entries = Array.from({ length: 11 }, () => anEntry());

    expect(await errorOf(client.send(new PutEventsCommand({ Entries: entries })))).toBe(
      'ValidationException',
    );
    expect(bridge.events).toHaveLength(0);
  });

  it('refuses a request whose entries exceed 256 KB', async () => {
    const detail = JSON.stringify({ padding: 'x'.repeat(MAX_REQUEST_BYTES) });

    expect(await errorOf(client.send(new PutEventsCommand({ Entries: [anEntry({ Detail: detail })] })))).toBe(
      'ValidationException',
    );
  });

  it('fails each bad entry on its own and accepts the rest, counting the failures', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          anEntry(),
          anEntry({ Detail: '{not json' }),
          anEntry({ Source: undefined }),
          anEntry({ EventBusName: 'no-such-bus' }),
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(3);
    expect(shape(result.Entries)).toEqual([
      { EventId: 'string' },
      { ErrorCode: 'MalformedDetail' },
      { ErrorCode: 'InvalidArgument' },
      { ErrorCode: 'ResourceNotFoundException' },
    ]);
    expect(bridge.events).toHaveLength(1);
  });
});

if (!MOTO) {
  it('the local PutEvents validation is compared with moto: skipped, moto_server is not on PATH', () => {
    expect(MOTO).toBeUndefined();
  });
} else {
  describe('local PutEvents answers as moto does', () => {
    let moto: Moto;
    let bridge: LocalEventBridge;
    let local: EventBridgeClient;
    let remote: EventBridgeClient;

    beforeAll(async () => {
      [moto, bridge] = await Promise.all([startMoto(MOTO), startLocalEventBridge()]);
      local = clientFor(bridge.endpoint);
      remote = clientFor(moto.endpoint);
    }, 30_000);
    afterAll(async () => {
      local.destroy();
      remote.destroy();
      await Promise.all([moto.stop(), bridge.close()]);
    });

    it.each([
      ['11 entries', Array.from({ length: 11 }, () => anEntry())],
      ['a valid entry', [anEntry()]],
      ['a malformed detail', [anEntry({ Detail: '{"a":' })]],
      ['a missing source', [anEntry({ Source: undefined })]],
      ['a missing detail-type', [anEntry({ DetailType: undefined })]],
    ])('%s', async (_, entries) => {
      const ask = async (client: EventBridgeClient) => {
        try {
          const result = await client.send(new PutEventsCommand({ Entries: entries }));
          return { failed: result.FailedEntryCount, entries: shape(result.Entries) };
        } catch (error) {
          return { error: (error as Error).name };
        }
      };

      expect(await ask(local)).toEqual(await ask(remote));
    });
  });
}
