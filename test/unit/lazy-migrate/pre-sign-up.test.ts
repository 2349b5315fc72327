import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import type { TableContext } from '#shared/table/context';
import { recordMigrated } from '#shared/table/users';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { handleLazyMigrate } from '../../../functions/lazy-migrate/migrate-user';
import {
  SIGN_UP_CONFLICT_MESSAGE,
  SIGN_UP_UNAVAILABLE_MESSAGE,
} from '../../../functions/lazy-migrate/pre-sign-up';
import { aConfig, makeDeps, preSignUpEvent, seedSnapshot } from './harness';

const source = mockClient(CognitoIdentityProviderClient);
const local = useLocalTable();
let table: TableContext;

const notFound = () =>
  new CognitoIdentityProviderServiceException({
    name: 'UserNotFoundException',
    message: 'User does not exist.',
    $fault: 'client',
    $metadata: {},
  });

beforeEach(async () => {
  source.reset();
  source.on(AdminGetUserCommand).rejects(notFound());
  source.on(ListUsersCommand).resolves({ Users: [] });
  table = local.table;
  await seedSnapshot(
    table,
    aSourceUser({
      username: 'jane',
      attributes: { email: 'jane@example.com', email_verified: 'true', phone_number: '+15555550100' },
    }),
  );
});

describe('PreSignUp guard', () => {
  it.each([
    ['email', { userName: 'stranger', userAttributes: { email: 'JANE@example.com' } }],
    ['phone number', { userName: 'stranger', userAttributes: { phone_number: '+15555550100' } }],
    ['username', { userName: 'Jane', userAttributes: { email: 'other@example.com' } }],
  ])(
    'refuses PreSignUp_SignUp with the %s of a source user who has not migrated',
    async (_kind, overrides) => {
      const deps = makeDeps(table);

      await expect(handleLazyMigrate(preSignUpEvent('sign-up', overrides), deps)).rejects.toThrow(
        SIGN_UP_CONFLICT_MESSAGE,
      );
      expect(deps.recorded.counts).toEqual(['SignUpRefused']);
    },
  );

  it('refuses PreSignUp_ExternalProvider with a legacy user email', async () => {
    await expect(handleLazyMigrate(preSignUpEvent('external-provider'), makeDeps(table))).rejects.toThrow(
      SIGN_UP_CONFLICT_MESSAGE,
    );
  });

  it('lets PreSignUp_AdminCreateUser pass: the reset campaign creates legacy users on purpose', async () => {
    const event = preSignUpEvent('admin-create-user');

    await expect(handleLazyMigrate(event, makeDeps(table))).resolves.toEqual(event);
  });

  it('lets a sign-up pass once the legacy user has migrated', async () => {
    await recordMigrated(table, 'jane', { method: 'password', targetUsername: 'jane' });
    const event = preSignUpEvent('sign-up');

    await expect(handleLazyMigrate(event, makeDeps(table))).resolves.toEqual(event);
  });

  it('lets an unrelated sign-up pass unchanged', async () => {
    const event = preSignUpEvent('sign-up', {
      userName: 'new',
      userAttributes: { email: 'new@example.com' },
    });

    await expect(handleLazyMigrate(event, makeDeps(table))).resolves.toEqual(event);
  });

  it('asks the source about a username the snapshot does not know and refuses a user created after the sync', async () => {
    source
      .on(AdminGetUserCommand, { Username: 'nora' })
      .resolves({ Username: 'nora', UserStatus: 'CONFIRMED' });
    const deps = makeDeps(table);

    await expect(
      handleLazyMigrate(preSignUpEvent('sign-up', { userName: 'nora', userAttributes: {} }), deps),
    ).rejects.toThrow(SIGN_UP_CONFLICT_MESSAGE);
    expect(source).toHaveReceivedCommandWith(AdminGetUserCommand, { Username: 'nora' });
  });

  it('asks the source about an email the snapshot does not know and refuses its verified holder’s email', async () => {
    source
      .on(ListUsersCommand, { Filter: 'email = "nora@example.com"' })
      .resolves({ Users: [{ Username: 'nora', Attributes: [{ Name: 'email_verified', Value: 'true' }] }] });

    await expect(
      handleLazyMigrate(
        preSignUpEvent('sign-up', { userName: 'stranger', userAttributes: { email: 'nora@example.com' } }),
        makeDeps(table),
      ),
    ).rejects.toThrow(SIGN_UP_CONFLICT_MESSAGE);
  });

  it('refuses with a try-later message when the source cannot be asked (fails closed)', async () => {
    source.on(AdminGetUserCommand).rejects(
      new CognitoIdentityProviderServiceException({
        name: 'TooManyRequestsException',
        message: 'Too many requests',
        $fault: 'client',
        $metadata: {},
      }),
    );

    await expect(
      handleLazyMigrate(preSignUpEvent('sign-up', { userName: 'nora', userAttributes: {} }), makeDeps(table)),
    ).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
  });

  it('never asks a retired source', async () => {
    const deps = makeDeps(table, {
      config: aConfig({ source: { userPoolId: 'us-east-1_Source1', migrationClientId: 'c', retired: true } }),
    });
    const event = preSignUpEvent('sign-up', { userName: 'nora', userAttributes: {} });

    await expect(handleLazyMigrate(event, deps)).resolves.toEqual(event);
    expect(source.calls()).toHaveLength(0);
  });

  it('refuses with a try-later message when the table cannot be read, rather than risk a lockout', async () => {
    const deps = makeDeps({ ...table, tableName: 'no-such-table' });

    await expect(handleLazyMigrate(preSignUpEvent('sign-up'), deps)).rejects.toThrow(
      SIGN_UP_UNAVAILABLE_MESSAGE,
    );
  });
});
