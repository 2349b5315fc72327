import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { getUser } from '#shared/table/users';
import type { ExecutionResult } from '#local/stepfunctions/index';
import { seedSourceUsers, signIn, targetGroupsOf, useArtifactStack } from './support/artifact-stack';

/**
 * The end-to-end scenarios against what ships: the bundled functions with the synthesized
 * template's environment and timeouts, the template's state machine and triggers. The test
 * configuration puts the source pool in another Region (eu-central-1) than the stack (eu-west-1).
 */
const stack = useArtifactStack();
const GROUPS = Array.from({ length: 60 }, (_, i) => `team-${String(i).padStart(2, '0')}`);
const tableOf = () => {
  const s = stack();
  return {
    doc: s.functions.reconcileDeps().table.doc,
    tableName: s.state.tableName,
    clock: { now: Date.now, sleep: async () => undefined },
  };
};

let sync: ExecutionResult | undefined;

beforeAll(async () => {
  await seedSourceUsers(
    stack(),
    [{ username: 'alice' }, { username: 'bob' }, { username: 'carol', groups: GROUPS }, { username: 'dave' }],
    GROUPS,
  );
  sync = await stack().functions.bulkSync({});
}, 120_000);

describe('artifact mode: the synthesized assembly run locally', () => {
  it('snapshots a source pool in another Region with the bundled bulk-export', () => {
    expect(sync).toMatchObject({ status: 'SUCCEEDED', output: { users: 4 } });
  });

  it('reports a bundled function’s error under the error class’s own name', async () => {
    await expect(stack().functions.bulkExport({ task: 'export-everything' })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });

  it('migrates a user at first sign-in from a source pool in another Region', async () => {
    const result = await signIn(stack(), 'alice@example.com');

    expect(result.AuthenticationResult?.IdToken).toBeDefined();
    expect((await getUser(tableOf(), 'alice'))?.status).toBe('MIGRATED');
    // The source is in another account: the function assumed the source role with its ExternalId.
    expect(stack().artifacts.assumedRoles[0]).toMatchObject({
      roleArn: expect.stringContaining(':role/cognito-migrate-source-read'),
      externalId: expect.any(String),
    });
  });

  it('migrates a user through forgot-password, who then signs in with the new password', async () => {
    const s = stack();
    await s.cognito.send(
      new ForgotPasswordCommand({ ClientId: s.state.target.clientId, Username: 'bob@example.com' }),
    );
    const target = await s.cognito.send(
      new AdminGetUserCommand({ UserPoolId: s.state.target.userPoolId, Username: 'bob@example.com' }),
    );
    const code = s.emulator.outbox.latestCode(s.state.target.userPoolId, target.Username!, 'reset');
    await s.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: s.state.target.clientId,
        Username: 'bob@example.com',
        ConfirmationCode: code!,
        Password: 'New-Passw0rd!',
      }),
    );

    expect((await signIn(s, 'bob@example.com', 'New-Passw0rd!')).AuthenticationResult).toBeDefined();
  });

  it('gives a user in 60 groups all of them: what the trigger cannot apply in time, its continuation does', async () => {
    const s = stack();

    await signIn(s, 'carol@example.com');
    await s.functions.idle();

    const target = await s.cognito.send(
      new AdminGetUserCommand({ UserPoolId: s.state.target.userPoolId, Username: 'carol@example.com' }),
    );
    expect(await targetGroupsOf(s, target.Username!)).toEqual(GROUPS);
    expect((await getUser(tableOf(), 'carol'))?.groupsApplied).toBe(true);
    expect(s.artifacts.failedInvocations).toEqual({});
  }, 60_000);

  it('after the window closes, flags who never signed in and the reset campaign creates them with a reset code', async () => {
    const s = stack();

    await s.functions.reconcile({ action: 'reconcile' }, { windowClosed: true });
    expect((await getUser(tableOf(), 'dave'))?.status).toBe('FLAGGED_FOR_RESET');
    await s.functions.reconcile({ action: 'reset-campaign' }, { windowClosed: true });

    expect((await getUser(tableOf(), 'dave'))?.status).toBe('RESET_SENT');
    const target = await s.cognito.send(
      new AdminGetUserCommand({ UserPoolId: s.state.target.userPoolId, Username: 'dave@example.com' }),
    );
    expect(target.UserStatus).toBe('RESET_REQUIRED');
    expect((await getUser(tableOf(), 'alice'))?.status).toBe('MIGRATED');
  }, 60_000);
});
