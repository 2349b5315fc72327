import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { getUser } from '#shared/table/users';
import { seedSourcePool, type CognitoCall } from '#local/seed';
import { startLocalStack, type LocalStack } from '#local/stack';

describe('functionThreads (the functions in a worker thread)', () => {
  let threaded: LocalStack;
  let inProcess: LocalStack;

  beforeAll(async () => {
    [threaded, inProcess] = await Promise.all([
      startLocalStack({ functionThreads: 1 }),
      startLocalStack({ dynamoThread: false }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([threaded?.close(), inProcess?.close()]);
  });

  it('migrates a user who signs in, through the trigger running in the thread', async () => {
    const [user] = (
      await seedSourcePool({
        call: threaded.emulator.call as CognitoCall,
        userPoolId: threaded.state.source.userPoolId,
        clientId: threaded.state.source.migrationClientId,
        users: 20,
      })
    ).filter((u) => u.kind === 'confirmed' && u.mfa === 'none');

    const out = await threaded.cognito.send(
      new InitiateAuthCommand({
        ClientId: threaded.state.target.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user!.username, PASSWORD: user!.password },
      }),
    );
    await threaded.functions.idle();

    expect(out.AuthenticationResult?.AccessToken).toBeDefined();
    const record = await getUser(threaded.functions.reconcileDeps().table, user!.username);
    expect(record?.status).toBe('MIGRATED');
  }, 60_000);

  it('fails an invocation with the error name and message the handler threw, as in-process', async () => {
    const invalid = { task: 'no-such-task' };

    const [inThread, here] = await Promise.all(
      [threaded, inProcess].map((stack) =>
        stack.functions.bulkExport(invalid).then(
          () => undefined,
          (error: Error) => ({ name: error.name, message: error.message }),
        ),
      ),
    );

    expect(here?.name).toBe('InvalidInputError');
    expect(inThread).toEqual(here);
  });

  it('refuses a ManualClock or a logger, which cannot cross into the thread', async () => {
    await expect(
      startLocalStack({ functionThreads: 1, clock: { now: () => 0, sleep: async () => undefined } }),
    ).rejects.toThrow(/system clock/);
  });
});
