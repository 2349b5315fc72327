import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import type { TableContext } from '#shared/table/context';
import { getUser, type SourceUserSnapshot } from '#shared/table/users';
import { useLocalTable } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { handleLazyMigrate } from '../../../functions/lazy-migrate/migrate-user';
import { REFUSAL_MESSAGE } from '../../../functions/lazy-migrate/refusal';
import {
  aConfig,
  adminGetUserOf,
  aTargetSchema,
  forgotPasswordEvent,
  makeDeps,
  seedSnapshot,
  SOURCE_POOL,
} from './harness';

const source = mockClient(CognitoIdentityProviderClient);
const local = useLocalTable();
let table: TableContext;
let jane: SourceUserSnapshot;

beforeEach(async () => {
  source.reset();
  table = local.table;
  jane = aSourceUser({ username: 'jane' });
  await seedSnapshot(table, jane);
});

describe('UserMigration_ForgotPassword', () => {
  it.each(['CONFIRMED', 'RESET_REQUIRED'])(
    'migrates an enabled %s user with a verified email into RESET_REQUIRED with SUPPRESS (Cognito then sends the code)',
    async (userStatus) => {
      source.on(AdminGetUserCommand).resolves(adminGetUserOf({ ...jane, userStatus }));

      const event = await handleLazyMigrate(forgotPasswordEvent(), makeDeps(table));

      expect(event.response).toMatchObject({
        finalUserStatus: 'RESET_REQUIRED',
        messageAction: 'SUPPRESS',
        userAttributes: {
          email: jane.attributes.email,
          email_verified: 'true',
          'custom:legacy_sub': jane.sub,
        },
      });
      expect(source).toHaveReceivedCommandWith(AdminGetUserCommand, {
        UserPoolId: SOURCE_POOL,
        Username: 'jane',
      });
      expect(source.calls()).toHaveLength(1);
      expect(await getUser(table, 'jane')).toMatchObject({ status: 'MIGRATED', method: 'forgot-password' });
    },
  );

  it('accepts a verified phone number when the email is not verified', async () => {
    const phoneOnly = {
      ...jane,
      attributes: {
        ...jane.attributes,
        email_verified: 'false',
        phone_number: '+15555550100',
        phone_number_verified: 'true',
      },
    };
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(phoneOnly));

    const event = await handleLazyMigrate(forgotPasswordEvent(), makeDeps(table));

    expect(event.response.userAttributes).toMatchObject({
      email_verified: 'false',
      phone_number_verified: 'true',
    });
  });

  it.each([
    ['a disabled user', { enabled: false }, 'USER_DISABLED'],
    ['an unconfirmed user', { userStatus: 'UNCONFIRMED' }, 'USER_NOT_CONFIRMED'],
    ['a user with a temporary password', { userStatus: 'FORCE_CHANGE_PASSWORD' }, 'USER_STATUS_NOT_ELIGIBLE'],
    ['a federated user', { userStatus: 'EXTERNAL_PROVIDER' }, 'FEDERATED_USER'],
    [
      'a user without a verified email or phone',
      { attributes: { email: 'j@example.com', email_verified: 'false' } },
      'NO_VERIFIED_CONTACT',
    ],
  ] as [string, Partial<SourceUserSnapshot>, string][])(
    'refuses %s (%s)',
    async (_label, overrides, reason) => {
      source.on(AdminGetUserCommand).resolves(adminGetUserOf({ ...jane, ...overrides }));
      const deps = makeDeps(table);

      const error = await handleLazyMigrate(forgotPasswordEvent(), deps).catch((e: Error) => e);

      expect(error).toHaveProperty('message', REFUSAL_MESSAGE);
      expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason }]);
      expect(await getUser(table, 'jane')).toMatchObject({ status: 'PENDING' });
    },
  );

  it('refuses an unknown user with the same message', async () => {
    source
      .on(AdminGetUserCommand)
      .rejects(new UserNotFoundException({ message: 'User does not exist.', $metadata: {} }));
    const deps = makeDeps(table);

    const error = await handleLazyMigrate(forgotPasswordEvent('nobody'), deps).catch((e: Error) => e);

    expect(error).toHaveProperty('message', REFUSAL_MESSAGE);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'USER_NOT_FOUND' }]);
  });

  it('records MFA re-enrolment for a TOTP user, and carries SMS MFA when the target can', async () => {
    source
      .on(AdminGetUserCommand)
      .resolves(adminGetUserOf(jane, { UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] }));

    await handleLazyMigrate(forgotPasswordEvent(), makeDeps(table));

    expect(await getUser(table, 'jane')).toMatchObject({ mfaReenrolRequired: true });
  });

  it('carries SMS MFA with enableSMSMFA when the target can send SMS', async () => {
    const withPhone = { ...jane, attributes: { ...jane.attributes, phone_number: '+15555550100' } };
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(withPhone, { UserMFASettingList: ['SMS_MFA'] }));

    const event = await handleLazyMigrate(
      forgotPasswordEvent(),
      makeDeps(table, { schema: aTargetSchema() }),
    );

    expect(event.response.enableSMSMFA).toBe(true);
  });

  it('reads the user from the snapshot, not the source, when the source pool is retired', async () => {
    const config = aConfig({
      source: { userPoolId: SOURCE_POOL, migrationClientId: 'c', retired: true },
    });

    const event = await handleLazyMigrate(forgotPasswordEvent(), makeDeps(table, { config }));

    expect(source.calls()).toHaveLength(0);
    expect(event.response).toMatchObject({
      finalUserStatus: 'RESET_REQUIRED',
      userAttributes: { email: jane.attributes.email },
    });
  });

  it('refuses a user the snapshot lacks when the source pool is retired', async () => {
    const config = aConfig({ source: { userPoolId: SOURCE_POOL, migrationClientId: 'c', retired: true } });
    const deps = makeDeps(table, { config });

    await expect(handleLazyMigrate(forgotPasswordEvent('ghost'), deps)).rejects.toThrow(REFUSAL_MESSAGE);
    expect(deps.recorded.outcomes).toEqual([{ result: 'refused', reason: 'USER_NOT_FOUND' }]);
  });
});

describe('UserMigration_ForgotPassword: identity from the source', () => {
  it('migrates the source user an email moved to after the sync, recorded under their username', async () => {
    const email = jane.attributes.email!;
    const bob = aSourceUser({ username: 'bob', attributes: { email, email_verified: 'true' } });
    source
      .on(AdminGetUserCommand, { Username: 'jane' })
      .resolves(
        adminGetUserOf({ ...jane, attributes: { ...jane.attributes, email: 'jane@elsewhere.example' } }),
      );
    source.on(AdminGetUserCommand, { Username: 'bob' }).resolves(adminGetUserOf(bob));
    source
      .on(ListUsersCommand)
      .resolves({ Users: [{ Username: 'bob', Attributes: [{ Name: 'email_verified', Value: 'true' }] }] });
    const schema = aTargetSchema({ aliasAttributes: ['email'] });

    const event = await handleLazyMigrate(forgotPasswordEvent(email), makeDeps(table, { schema }));

    expect(event.response.userAttributes).toMatchObject({ username: 'bob', email });
    expect(await getUser(table, 'bob')).toMatchObject({ status: 'MIGRATED', method: 'forgot-password' });
    expect(await getUser(table, 'jane')).toMatchObject({ status: 'PENDING' });
  });

  it('names the user of a forgot-password typed in another case by the source username', async () => {
    source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));
    const schema = aTargetSchema({ caseSensitive: true });

    const event = await handleLazyMigrate(forgotPasswordEvent('JANE'), makeDeps(table, { schema }));

    expect(event.response.userAttributes).toMatchObject({ username: 'jane' });
    expect(source).toHaveReceivedCommandWith(AdminGetUserCommand, { Username: 'jane' });
  });
});
