import { outcomeOf } from '../faults/support/fault-stack';
import { PASSWORD, signIn, useArtifactStack } from './support/artifact-stack';

/**
 * A target scoped to one tenant, against what ships: the bundled functions, their configuration
 * as the template carries it with `migrationScope` set (as `local start --artifacts
 * --migration-config` runs it), and the target pool's triggers as the template wires them.
 */
const stack = useArtifactStack({
  config: { migrationScope: { attribute: 'custom:tenant', values: ['acme'] } },
});

beforeAll(async () => {
  const s = stack();
  const user = (username: string, tenant: string) =>
    s.emulator.store.createUserDirect(s.state.source.userPoolId, {
      username,
      password: PASSWORD,
      attributes: { email: `${username}@example.com`, email_verified: 'true', 'custom:tenant': tenant },
      groups: [],
    });
  user('alice', 'acme');
  user('gary', 'globex');
}, 60_000);

describe('artifact mode: a migration scope', () => {
  it('snapshots the in-scope user and counts the other out of scope in the bundled bulk sync', async () => {
    const result = await stack().functions.bulkSync({});

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { users: 1, outOfScope: 1 } });
  }, 120_000);

  it('answers an out-of-scope user with the right password exactly as an unknown user', async () => {
    const outOfScope = await outcomeOf(signIn(stack(), 'gary'));
    const unknown = await outcomeOf(signIn(stack(), 'nobody'));

    expect(outOfScope).toMatchObject({ ok: false });
    expect(outOfScope).toEqual(unknown);
  });

  it('migrates the in-scope user at sign-in', async () => {
    const answer = await signIn(stack(), 'alice');

    expect(answer.AuthenticationResult?.IdToken).toBeDefined();
  });
});
