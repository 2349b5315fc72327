import { CognitoError, incorrectCredentials, userNotFound } from './errors';
import { hashPassword } from './passwords';
import { checkAttributes } from './schema';
import { deliver } from './delivery';
import { usernameRules } from './ops/users';
import { TriggerFailure } from './triggers';
import type { OpContext } from './context';
import type { Attributes, ClientRecord, PoolRecord, UserRecord } from './types';

export type MigrationSource = 'UserMigration_Authentication' | 'UserMigration_ForgotPassword';

const EMAIL_FORMAT = /^[^@\s]+@[^@\s]+$/;
const PHONE_FORMAT = /^\+\d{4,15}$/;

/** A UserMigration refusal; the caller decides how the client sees it. */
export class MigrationRefused extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MigrationRefused';
  }

  /**
   * What the client gets: with PreventUserExistenceErrors ENABLED the same answer as a wrong
   * password; otherwise UserNotFoundException carrying the reason, as AWS words it.
   */
  toCognitoError(client: ClientRecord): CognitoError {
    return client.preventUserExistenceErrors === 'ENABLED'
      ? incorrectCredentials()
      : userNotFound(this.message);
  }
}

interface MigrationResponse {
  userAttributes?: Record<string, unknown>;
  finalUserStatus?: string;
  messageAction?: string;
  desiredDeliveryMediums?: unknown;
  forceAliasCreation?: boolean;
  enableSMSMFA?: boolean;
}

/**
 * Calls the UserMigration trigger for a user the pool does not know and creates the user from
 * its answer, validated as AWS validates it. Throws MigrationRefused on any failure.
 */
export async function migrateUser(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  typedName: string,
  source: MigrationSource,
  password: string | undefined,
  clientMetadata: Record<string, string> | undefined,
): Promise<UserRecord> {
  let response: MigrationResponse | undefined;
  try {
    response = (await ctx.triggers.invoke({
      pool,
      trigger: 'UserMigration',
      triggerSource: source,
      userName: typedName,
      clientId: client.id,
      region: ctx.region,
      request: {
        ...(source === 'UserMigration_Authentication' ? { password } : {}),
        validationData: source === 'UserMigration_Authentication' ? { ...clientMetadata } : {},
        clientMetadata: clientMetadata ?? {},
      },
    })) as MigrationResponse | undefined;
  } catch (error) {
    if (!(error instanceof TriggerFailure)) throw error;
    throw new MigrationRefused(
      error.kind === 'error'
        ? `UserMigration failed with error ${error.message}.`
        : `Exception migrating user in app client ${client.id}`,
    );
  }
  try {
    return createMigratedUser(ctx, pool, typedName, source, password, response ?? {}, client);
  } catch (error) {
    if (error instanceof CognitoError) throw new MigrationRefused(error.message);
    throw error;
  }
}

function createMigratedUser(
  ctx: OpContext,
  pool: PoolRecord,
  typedName: string,
  source: MigrationSource,
  password: string | undefined,
  response: MigrationResponse,
  client: ClientRecord,
): UserRecord {
  const raw = response.userAttributes;
  if (!raw || typeof raw !== 'object' || Object.keys(raw).length === 0)
    throw userNotFound(`Exception migrating user in app client ${client.id}`);
  const attributes: Attributes = Object.create(null);
  for (const [name, value] of Object.entries(raw)) attributes[name] = String(value);
  const explicitUsername = attributes.username;
  delete attributes.username;

  const status =
    source === 'UserMigration_ForgotPassword' ? 'RESET_REQUIRED' : (response.finalUserStatus ?? 'CONFIRMED');
  if (status !== 'CONFIRMED' && status !== 'RESET_REQUIRED')
    throw userNotFound('Error during migration: Invalid finalUserStatus');
  const action = response.messageAction;
  if (action !== undefined && action !== 'SUPPRESS' && action !== 'RESEND')
    throw userNotFound('Error during migration: Invalid messageAction');
  const mediums = response.desiredDeliveryMediums ?? ['SMS'];
  if (!Array.isArray(mediums) || mediums.some((m) => m !== 'EMAIL' && m !== 'SMS'))
    throw userNotFound('Error during migration: Invalid desiredDeliveryMediums');

  checkAttributes(pool, attributes, 'create');
  const username = migratedUsername(pool, typedName, explicitUsername, attributes);
  if (pool.users.has(ctx.store.keyOf(pool, username))) throw userNotFound('User account already exists');
  if (response.enableSMSMFA === true) {
    if (!attributes.phone_number)
      throw userNotFound('Error during migration: enableSMSMFA requires a phone_number');
    if (pool.settings.MfaConfiguration === 'OFF')
      throw userNotFound('Error during migration: enableSMSMFA requires MFA to be enabled on the user pool');
  }

  const user = ctx.store.newUser(pool, username, attributes, status);
  if (status === 'CONFIRMED' && password !== undefined) user.password = hashPassword(password);
  if (response.enableSMSMFA === true) user.mfa = { ...user.mfa, sms: true, preferred: 'SMS_MFA' };
  ctx.store.claimAliases(pool, user, response.forceAliasCreation === true);
  ctx.store.insert(pool, user);
  if (action !== 'SUPPRESS') {
    for (const medium of mediums as ('EMAIL' | 'SMS')[])
      if (medium === 'EMAIL' ? user.attributes.email : user.attributes.phone_number)
        deliver(ctx, pool, user, 'welcome', medium, {});
  }
  return user;
}

/**
 * The new user's username: the typed name, except when the pool signs in with an alias and the
 * user typed one — then the trigger must name the username (`userAttributes.username`) and the
 * typed alias lands in its attribute. In an email/phone-as-username pool it is the typed value.
 */
function migratedUsername(
  pool: PoolRecord,
  typed: string,
  explicit: string | undefined,
  attributes: Attributes,
): string {
  if (pool.usernameAttributes.length > 0) return usernameRules(pool, typed, attributes);
  const typedAlias =
    pool.aliasAttributes.includes('email') && EMAIL_FORMAT.test(typed)
      ? 'email'
      : pool.aliasAttributes.includes('phone_number') && PHONE_FORMAT.test(typed)
        ? 'phone_number'
        : undefined;
  if (typedAlias) {
    if (!explicit)
      throw userNotFound('Error during migration: username is required when signing in with an alias');
    attributes[typedAlias] ??= typed;
    return usernameRules(pool, explicit, attributes);
  }
  return usernameRules(pool, explicit ?? typed, attributes);
}
