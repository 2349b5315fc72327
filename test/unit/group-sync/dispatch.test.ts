import { ManualClock } from '#shared/clock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '#shared/errors';
import { continuationBudgetMs, dispatch, type GroupSyncEvent } from '../../../functions/group-sync/dispatch';
import postAuth from '../../fixtures/events/post-authentication.json';
import preToken from '../../fixtures/events/pre-token-generation.json';
import { aCognitoClient, aConfig, aTable, spyLogger } from './fakes';

const ddbMock = mockClient(DynamoDBDocumentClient);
const clock = new ManualClock(undefined, { jumpOnSleep: false });
const deps = {
  cognito: aCognitoClient(),
  table: aTable(clock),
  config: aConfig(),
  logger: spyLogger(),
  clock,
  lambda: new LambdaClient({ region: 'us-east-1' }),
  functionName: 'group-sync',
};

beforeEach(() => {
  ddbMock.reset();
  ddbMock.on(GetCommand).resolves({});
});

describe('dispatch', () => {
  it.each([
    ['PostAuthentication_Authentication', postAuth],
    ['TokenGeneration_Authentication', preToken],
  ])('returns the %s event to Cognito', async (_source, fixture) => {
    const result = await dispatch(structuredClone(fixture) as unknown as GroupSyncEvent, deps);

    expect(result).toEqual(fixture);
  });

  it('runs the apply-groups continuation on its own event', async () => {
    const result = await dispatch({ kind: 'apply-groups', username: 'alice' }, deps, {
      getRemainingTimeInMillis: () => 60_000,
    });

    expect(result).toEqual({ outcome: 'not-applicable' });
  });

  it.each([
    [5_000, 4_000],
    [60_000, 55_000],
    [500, 400],
  ])('gives the continuation most of the %i ms the invocation has left (%i ms)', (remaining, budget) => {
    expect(continuationBudgetMs(remaining)).toBe(budget);
  });

  it('rejects a trigger source it does not serve', async () => {
    const event = {
      ...structuredClone(postAuth),
      triggerSource: 'PreSignUp_SignUp',
    } as unknown as GroupSyncEvent;

    await expect(dispatch(event, deps)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
