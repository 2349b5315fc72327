import {
  AdminListGroupsForUserCommand,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { startArtifactStack, type ArtifactStack, type ArtifactStackOptions } from '#local/artifacts/stack';
import { testAssembly } from './assembly';

export const PASSWORD = 'Legacy-Passw0rd!';

/** Starts the stack from the synthesized assembly before the file's tests and stops it after. */
export const useArtifactStack = (options: Omit<ArtifactStackOptions, 'assembly'> = {}) => {
  const holder: { stack?: ArtifactStack } = {};
  beforeAll(async () => {
    holder.stack = await startArtifactStack({ assembly: testAssembly(), ...options });
  }, 60_000);
  afterAll(async () => {
    await holder.stack?.close();
  }, 60_000);
  return () => {
    if (!holder.stack) throw new Error('the artifact stack did not start');
    return holder.stack;
  };
};

/** Source users straight into the emulator (in-process: no Region, no quota), with a password and groups. */
export const seedSourceUsers = async (
  stack: ArtifactStack,
  users: { username: string; email?: string; groups?: string[] }[],
  groups: string[] = [],
) => {
  const poolId = stack.state.source.userPoolId;
  for (const name of groups)
    await stack.emulator.call('CreateGroup', { UserPoolId: poolId, GroupName: name });
  for (const user of users) {
    stack.emulator.store.createUserDirect(poolId, {
      username: user.username,
      password: PASSWORD,
      attributes: { email: user.email ?? `${user.username}@example.com`, email_verified: 'true' },
      groups: user.groups ?? [],
    });
  }
};

/** USER_PASSWORD_AUTH on the target's app client: the flow that hands UserMigration the password. */
export const signIn = (
  stack: ArtifactStack,
  username: string,
  password = PASSWORD,
): Promise<InitiateAuthCommandOutput> =>
  stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.state.target.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

export const targetGroupsOf = async (stack: ArtifactStack, username: string): Promise<string[]> => {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await stack.cognito.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: stack.state.target.userPoolId,
        Username: username,
        Limit: 60,
        ...(NextToken ? { NextToken } : {}),
      }),
    );
    names.push(...(page.Groups ?? []).map((g) => g.GroupName!));
    NextToken = page.NextToken;
  } while (NextToken);
  return names.sort();
};
