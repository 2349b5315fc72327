import { ManualClock } from '#shared/clock';
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PostAuthenticationTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '#shared/errors';
import { userKey } from '#shared/table/context';
import {
  handleApplyGroupsEvent,
  handlePostAuthentication,
  HANDOFF_RESERVE_MS,
  MAX_HOPS,
  type PostAuthenticationDeps,
} from '../../../functions/group-sync/post-authentication';
import fixture from '../../fixtures/events/post-authentication.json';
import { aCognitoClient, aConfig, aTable, spyLogger, TARGET_POOL } from './fakes';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const lambdaMock = mockClient(LambdaClient);
const LEGACY_SUB = fixture.request.userAttributes['custom:legacy_sub'];
const meta = { $metadata: {} };

const anEvent = () => structuredClone(fixture) as unknown as PostAuthenticationTriggerEvent;
const aRecord = (overrides: Record<string, unknown> = {}) => ({
  ...userKey('alice'),
  username: 'alice',
  sub: LEGACY_SUB,
  status: 'MIGRATED',
  targetUsername: 'alice',
  targetSub: fixture.request.userAttributes.sub,
  groups: new Set(['a', 'b', 'c']),
  ...overrides,
});
const givenRecord = (item: Record<string, unknown> | undefined) =>
  ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({ Item: item });
const invokedPayload = (index = 0) =>
  JSON.parse(
    Buffer.from(
      lambdaMock.commandCalls(InvokeCommand)[index]!.args[0].input.Payload as Uint8Array,
    ).toString(),
  );

let clock: ManualClock;
let deps: PostAuthenticationDeps & { logger: ReturnType<typeof spyLogger> };

beforeEach(() => {
  cognitoMock.reset();
  ddbMock.reset();
  lambdaMock.reset();
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(QueryCommand).resolves({ Items: [] });
  ddbMock.on(UpdateCommand).resolves({});
  cognitoMock.on(AdminAddUserToGroupCommand).resolves({});
  lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
  clock = new ManualClock(undefined, { jumpOnSleep: false });
  deps = {
    cognito: aCognitoClient(),
    table: aTable(clock),
    config: aConfig(),
    logger: spyLogger(),
    clock,
    lambda: new LambdaClient({ region: 'us-east-1' }),
    functionName: 'group-sync',
  };
});

describe('handlePostAuthentication', () => {
  it('adds a migrated user to every snapshot group, then marks the record applied with a conditional write', async () => {
    givenRecord(aRecord());

    const result = await handlePostAuthentication(anEvent(), deps);

    expect(result).toEqual(anEvent());
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 3);
    expect(cognitoMock).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, {
      UserPoolId: TARGET_POOL,
      Username: 'alice',
      GroupName: 'b',
    });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
      Key: userKey('alice'),
      ConditionExpression: expect.stringContaining('attribute_not_exists(groupsApplied)'),
    });
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it.each([
    ['groups already applied (an admin removal must stick)', aRecord({ groupsApplied: true })],
    ['a user not migrated', aRecord({ status: 'PENDING' })],
  ])('makes no Cognito call for %s', async (_name, item) => {
    givenRecord(item);

    await handlePostAuthentication(anEvent(), deps);

    expect(cognitoMock.calls()).toHaveLength(0);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('marks a migrated user without groups applied without calling Cognito', async () => {
    givenRecord(aRecord({ groups: undefined }));

    await handlePostAuthentication(anEvent(), deps);

    expect(cognitoMock.calls()).toHaveLength(0);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 1);
  });

  it('applies what fits before the deadline and hands the rest to an async invocation of itself', async () => {
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    givenRecord(aRecord({ groups: new Set(all) }));
    // Eight calls of 400 ms each cannot all finish inside the trigger's deadline.
    const callMs = 400;
    expect(8 * callMs).toBeGreaterThan(deps.config.triggerDeadlineMs - HANDOFF_RESERVE_MS);
    cognitoMock.on(AdminAddUserToGroupCommand).callsFake(() => {
      clock.advance(callMs);
      return {};
    });

    await handlePostAuthentication(anEvent(), { ...deps });

    expect(lambdaMock).toHaveReceivedCommandWith(InvokeCommand, {
      FunctionName: 'group-sync',
      InvocationType: 'Event',
    });
    const payload = invokedPayload();
    expect(payload).toMatchObject({
      kind: 'apply-groups',
      username: 'alice',
      targetUsername: 'alice',
      hop: 1,
    });
    // Some groups went inline, the rest (and only the rest) travel in the payload.
    expect(payload.groups.length).toBeGreaterThan(0);
    expect(payload.groups.length).toBeLessThan(all.length);
    expect(all).toEqual(expect.arrayContaining(payload.groups));
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it('binds the record to the signed-in user’s sub before applying the first group', async () => {
    givenRecord(aRecord({ targetSub: undefined }));

    await handlePostAuthentication(anEvent(), deps);

    expect(ddbMock).toHaveReceivedNthCommandWith(2, UpdateCommand, {
      UpdateExpression: expect.stringMatching(/^SET targetSub = :sub\b/),
      ConditionExpression: expect.stringContaining('attribute_not_exists(targetSub)'),
      ExpressionAttributeValues: expect.objectContaining({ ':sub': fixture.request.userAttributes.sub }),
    });
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 3);
  });

  it.each([
    ['without the legacy sub', undefined],
    ['with another legacy sub', 'someone-else'],
  ])(
    'binds no stranger %s who holds the name before the first binding: no sub map entry, no group',
    async (_, legacySub) => {
      givenRecord(aRecord({ targetSub: undefined, legacySubAttribute: 'custom:legacy_sub' }));
      const event = anEvent();
      if (legacySub) event.request.userAttributes['custom:legacy_sub'] = legacySub;
      else delete event.request.userAttributes['custom:legacy_sub'];

      await handlePostAuthentication(event, deps);

      expect(ddbMock).not.toHaveReceivedCommand(UpdateCommand);
      expect(cognitoMock).not.toHaveReceivedCommand(AdminAddUserToGroupCommand);
    },
  );

  it('binds the user the migration created, who carries the legacy sub it was given', async () => {
    givenRecord(aRecord({ targetSub: undefined, legacySubAttribute: 'custom:legacy_sub' }));

    await handlePostAuthentication(anEvent(), deps);

    expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':sub': fixture.request.userAttributes.sub }),
    });
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 3);
  });

  it('applies no group when the record was bound to another target user first', async () => {
    givenRecord(aRecord({ targetSub: undefined }));
    ddbMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta }));

    await handlePostAuthentication(anEvent(), deps);

    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 0);
  });

  it('applies no group to a TOTP user who has not set up MFA again', async () => {
    givenRecord(aRecord({ mfaReenrolRequired: true }));
    cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'alice', UserMFASettingList: [] });

    await handlePostAuthentication(anEvent(), deps);

    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 0);
  });

  it('never fails the sign-in when applying groups fails', async () => {
    givenRecord(aRecord());
    cognitoMock
      .on(AdminAddUserToGroupCommand)
      .rejects(new UserNotFoundException({ message: 'gone', ...meta }));

    const result = await handlePostAuthentication(anEvent(), deps);

    expect(result).toEqual(anEvent());
    expect(deps.logger.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'group-sync-failed' }),
    );
  });

  it('reports already-marked when a concurrent sign-in marked the record first', async () => {
    givenRecord(aRecord());
    ddbMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...meta }));

    await handlePostAuthentication(anEvent(), deps);

    expect(deps.logger.info).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'already-marked' }),
    );
  });
});

describe('handleApplyGroupsEvent', () => {
  it('applies only the groups handed on, then marks the record', async () => {
    givenRecord(aRecord());

    const outcome = await handleApplyGroupsEvent(
      { kind: 'apply-groups', username: 'alice', targetUsername: 'alice', groups: ['c'], hop: 1 },
      deps,
      { deadlineMs: 60_000 },
    );

    expect(outcome).toBe('applied');
    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 1);
    expect(cognitoMock).toHaveReceivedCommandWith(AdminAddUserToGroupCommand, { GroupName: 'c' });
  });

  it('applies every record group when the event names none', async () => {
    givenRecord(aRecord());

    await handleApplyGroupsEvent({ kind: 'apply-groups', username: 'alice' }, deps, { deadlineMs: 60_000 });

    expect(cognitoMock).toHaveReceivedCommandTimes(AdminAddUserToGroupCommand, 3);
  });

  it('does nothing for a record already marked (exactly once)', async () => {
    givenRecord(aRecord({ groupsApplied: true }));

    const outcome = await handleApplyGroupsEvent({ kind: 'apply-groups', username: 'alice' }, deps, {
      deadlineMs: 60_000,
    });

    expect(outcome).toBe('already-applied');
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  it(`fails after ${MAX_HOPS} continuations in a row, so Lambda retries it and then records the drop`, async () => {
    givenRecord(aRecord());

    const failure = handleApplyGroupsEvent({ kind: 'apply-groups', username: 'alice', hop: MAX_HOPS }, deps, {
      deadlineMs: 0,
    });

    await expect(failure).rejects.toMatchObject({ name: 'DeadlineExceededError' });
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  it('rejects a malformed event with a named error and changes nothing', async () => {
    await expect(
      handleApplyGroupsEvent({ kind: 'apply-groups', username: '' }, deps, { deadlineMs: 1000 }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('drops a user who is not in the target pool instead of retrying forever', async () => {
    givenRecord(aRecord());
    cognitoMock
      .on(AdminAddUserToGroupCommand)
      .rejects(new UserNotFoundException({ message: 'gone', ...meta }));

    const outcome = await handleApplyGroupsEvent({ kind: 'apply-groups', username: 'alice' }, deps, {
      deadlineMs: 60_000,
    });

    expect(outcome).toBe('not-applicable');
  });
});
