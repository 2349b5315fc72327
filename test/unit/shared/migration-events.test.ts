import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ManualClock } from '#shared/clock';
import { silentLogger } from '#shared/logger';
import {
  migrationEventId,
  publishUserMigrated,
  userMigratedDetail,
  userMigratedEntry,
} from '#shared/migration-events';
import type { EventSubject } from '#shared/table/migration-events';
import type { UserRecord } from '#shared/table/users';
import { toSubMapRow } from '../../../cli/export/sub-map';
import { aConfig } from '../../support/config';

const eventsMock = mockClient(EventBridgeClient);
const ddbMock = mockClient(DynamoDBDocumentClient);

/** A record as the table holds it: identities plus attribute values that must never leave. */
const aRecord = (): EventSubject & Record<string, unknown> => ({
  username: 'jane',
  sub: '11111111-1111-4111-8111-111111111111',
  targetUsername: 'jane',
  targetSub: '22222222-2222-4222-8222-222222222222',
  method: 'password',
  migratedAt: '2026-11-28T10:00:00.000Z',
  attributes: { email: 'jane@example.com', phone_number: '+15555550100' },
  groups: ['admins'],
});

const deps = () => ({
  events: new EventBridgeClient({ region: 'us-east-1' }),
  table: {
    doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    tableName: 'migration',
    clock: new ManualClock(),
  },
  config: aConfig({ eventBusName: 'migration-events' }),
  logger: silentLogger,
});

beforeEach(() => {
  eventsMock.reset();
  ddbMock.reset();
  ddbMock.on(UpdateCommand).resolves({});
});

describe('UserMigrated event', () => {
  it('carries the two identities, the method and the time, and no attribute value', () => {
    const entry = userMigratedEntry(aRecord(), 'migration-events');

    expect(Object.keys(JSON.parse(entry.Detail!)).sort()).toEqual([
      'eventId',
      'method',
      'migratedAt',
      'sourceSub',
      'sourceUsername',
      'targetSub',
      'targetUsername',
    ]);
    expect(JSON.stringify(entry)).not.toMatch(/jane@example\.com|\+15555550100|admins/);
    expect(entry).toMatchObject({
      Source: 'cognito-migrate',
      DetailType: 'UserMigrated',
      EventBusName: 'migration-events',
    });
  });

  it('names the target user of an email-as-username target by its Cognito username (its sub), never the email the migration gave', () => {
    const record = {
      ...aRecord(),
      targetUsername: 'jane@example.com',
      targetUsernameAttribute: 'email' as const,
    };

    const entry = userMigratedEntry(record, 'migration-events');
    const row = toSubMapRow({ ...record, status: 'MIGRATED' } as unknown as UserRecord);

    expect(JSON.parse(entry.Detail!)).toMatchObject({ targetUsername: record.targetSub });
    expect(JSON.stringify(entry)).not.toMatch(/jane@example\.com/);
    expect(row.targetUsername).toBe(record.targetSub);
  });

  it('has the same id however often it is built, and another id for another target user', () => {
    const record = aRecord();

    expect(userMigratedDetail(record).eventId).toBe(userMigratedDetail(aRecord()).eventId);
    expect(migrationEventId({ ...record, targetSub: 'other' })).not.toBe(migrationEventId(record));
    expect(migrationEventId(record)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('is marked published only once PutEvents accepted it', async () => {
    eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    const outcome = await publishUserMigrated(aRecord(), deps());

    expect(outcome).toBe('published');
    expect(ddbMock.commandCalls(UpdateCommand)[0]?.args[0].input.UpdateExpression).toMatch(
      /REMOVE eventOutbox/,
    );
  });

  it.each([
    [
      'a failed entry',
      () =>
        eventsMock
          .on(PutEventsCommand)
          .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }),
    ],
    ['an error', () => eventsMock.on(PutEventsCommand).rejects(new Error('socket hang up'))],
  ])('stays owed, without failing the caller, after %s', async (_, arrange) => {
    arrange();

    const outcome = await publishUserMigrated(aRecord(), deps());

    expect(outcome).toBe('failed');
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
