import { ManualClock } from '#shared/clock';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { userKey } from '#shared/table/context';
import { handlePreTokenGeneration, TOKEN_GRACE_MS } from '../../../functions/group-sync/pre-token-generation';
import authEvent from '../../fixtures/events/pre-token-generation.json';
import refreshEvent from '../../fixtures/events/pre-token-generation-refresh.json';
import { MFA_ENROLMENT_CLAIM } from '../../../functions/group-sync/mfa-gate';
import { aCognitoClient, aConfig, aTable, spyLogger } from './fakes';

const cognitoMock = mockClient(CognitoIdentityProviderClient);
const ddbMock = mockClient(DynamoDBDocumentClient);
const LEGACY_SUB = authEvent.request.userAttributes['custom:legacy_sub'];

const anEvent = (fixture: unknown = authEvent) =>
  structuredClone(fixture) as unknown as PreTokenGenerationTriggerEvent;

const aRecord = (overrides: Record<string, unknown> = {}) => ({
  ...userKey('alice'),
  username: 'alice',
  sub: LEGACY_SUB,
  status: 'MIGRATED',
  targetUsername: 'alice',
  groups: new Set(['admins', 'staff', 'users']),
  ...overrides,
});

let clock: ManualClock;
let deps: Parameters<typeof handlePreTokenGeneration>[1];

beforeEach(() => {
  cognitoMock.reset();
  ddbMock.reset();
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(QueryCommand).resolves({ Items: [] });
  clock = new ManualClock(undefined, { jumpOnSleep: false });
  deps = { cognito: aCognitoClient(), table: aTable(clock), config: aConfig(), logger: spyLogger(), clock };
});

describe('handlePreTokenGeneration', () => {
  it('overrides the ID token groups with the snapshot groups for a migrated user not yet applied', async () => {
    ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({ Item: aRecord() });

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result.response.claimsOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: ['admins', 'staff', 'users'],
      iamRolesToOverride: [],
    });
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(cognitoMock.calls()).toHaveLength(0);
  });

  // V1: groupOverrideDetails replaces the group configuration, so current groups and roles are kept.
  it('keeps the groups and roles the user already has in the target and adds the missing ones', async () => {
    ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({ Item: aRecord() });

    const result = await handlePreTokenGeneration(anEvent(refreshEvent), deps);

    expect(result.response.claimsOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: ['staff', 'admins', 'users'],
      iamRolesToOverride: ['arn:aws:iam::222222222222:role/target-staff'],
      preferredRole: 'arn:aws:iam::222222222222:role/target-staff',
    });
  });

  it.each([
    ['a user still PENDING', aRecord({ status: 'PENDING' })],
    ['a migrated user without groups', aRecord({ groups: undefined })],
    [
      'a user whose groups were applied earlier',
      aRecord({ groupsApplied: true, groupsAppliedAt: new Date(Date.UTC(2025, 0, 1)).toISOString() }),
    ],
  ])('returns the event untouched for %s after one read', async (_name, item) => {
    ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({ Item: item });
    const event = anEvent();

    const result = await handlePreTokenGeneration(event, deps);

    expect(result).toEqual(anEvent());
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddbMock).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it('returns the event untouched after one read for a native target user', async () => {
    const event = anEvent();
    delete event.request.userAttributes['custom:legacy_sub'];
    const expected = structuredClone(event);

    const result = await handlePreTokenGeneration(event, deps);

    expect(result).toEqual(expected);
    expect(ddbMock).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ddbMock).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it('still overrides within the grace after the groups were marked applied in this sign-in', async () => {
    const appliedAt = clock.now() - TOKEN_GRACE_MS / 2;
    ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({
      Item: aRecord({ groupsApplied: true, groupsAppliedAt: new Date(appliedAt).toISOString() }),
    });

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toHaveLength(3);
  });

  // With email as username, Cognito names the migrated user with a UUID, not the source username.
  it('finds the record of a UUID-named target user through the email the migration gave as its username', async () => {
    const event = anEvent();
    event.userName = event.request.userAttributes.sub!;
    ddbMock
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'LOGIN#alice@example.com' } })
      .resolves({ Items: [{ username: 'alice' }] });
    ddbMock
      .on(GetCommand, { Key: userKey('alice') })
      .resolves({ Item: aRecord({ targetUsername: 'alice@example.com', targetUsernameAttribute: 'email' }) });

    const result = await handlePreTokenGeneration(event, deps);

    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toHaveLength(3);
  });

  it('never gives a record’s groups to another target user who copied its legacy sub and email', async () => {
    const event = anEvent();
    event.userName = 'mallory';
    ddbMock
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'LOGIN#alice@example.com' } })
      .resolves({ Items: [{ username: 'alice' }] });
    ddbMock.on(GetCommand, { Key: userKey('alice') }).resolves({ Item: aRecord() });

    const result = await handlePreTokenGeneration(event, deps);

    expect(result.response.claimsOverrideDetails).toBeNull();
  });

  it('ignores a record bound to another target sub even under the same username', async () => {
    ddbMock
      .on(GetCommand, { Key: userKey('alice') })
      .resolves({ Item: aRecord({ targetSub: 'someone-else' }) });

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result.response.claimsOverrideDetails).toBeNull();
  });

  it('withholds every group and sets the enrolment claim for a TOTP user who has not set up MFA again', async () => {
    ddbMock
      .on(GetCommand, { Key: userKey('alice') })
      .resolves({ Item: aRecord({ mfaReenrolRequired: true }) });
    cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'alice' });

    const result = await handlePreTokenGeneration(anEvent(refreshEvent), deps);

    expect(result.response.claimsOverrideDetails).toEqual({
      claimsToAddOrOverride: { [MFA_ENROLMENT_CLAIM]: 'true' },
      groupOverrideDetails: { groupsToOverride: [], iamRolesToOverride: [] },
    });
  });

  it('withholds groups when the MFA check fails (fails closed)', async () => {
    ddbMock
      .on(GetCommand, { Key: userKey('alice') })
      .resolves({ Item: aRecord({ mfaReenrolRequired: true }) });
    cognitoMock.on(AdminGetUserCommand).rejects(new Error('throttled'));

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toEqual([]);
  });

  it('gives the groups and marks the record once the TOTP user has a software token again', async () => {
    ddbMock
      .on(GetCommand, { Key: userKey('alice') })
      .resolves({ Item: aRecord({ mfaReenrolRequired: true }) });
    ddbMock.on(UpdateCommand).resolves({});
    cognitoMock
      .on(AdminGetUserCommand)
      .resolves({ Username: 'alice', UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] });

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride).toHaveLength(3);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'SET mfaReenrolledAt = if_not_exists(mfaReenrolledAt, :now)',
    });
  });

  it('leaves the token untouched when the table cannot be read', async () => {
    ddbMock.on(GetCommand).rejects(new Error('socket hang up'));

    const result = await handlePreTokenGeneration(anEvent(), deps);

    expect(result).toEqual(anEvent());
    expect(deps.logger.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ reason: 'table-unavailable' }),
    );
  });
});
