import type { UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import type { MigrationConfig } from '#shared/config';

export type FindingLevel = 'BLOCKER' | 'WARNING' | 'INFO';

/** One preflight finding: what is wrong and how to fix it. */
export interface Finding {
  level: FindingLevel;
  code: string;
  message: string;
  fix: string;
}

export interface PreflightInput {
  source: UserPoolType;
  target: UserPoolType;
  sourceClient?: UserPoolClientType;
  targetClient?: UserPoolClientType;
  /** Every app client of the target pool (ListUserPoolClients + DescribeUserPoolClient). */
  targetClients?: UserPoolClientType[];
  /**
   * Every app client of the source pool, read only with a migration scope (who may write its
   * attribute); undefined when they could not be listed.
   */
  sourceClients?: UserPoolClientType[];
  config: Pick<MigrationConfig, 'attributeMap' | 'mfaPolicy' | 'migrationScope'>;
  /** Source usernames that a case-insensitive target would see as one login name, by folded name. */
  collisions?: Record<string, string[]>;
  /** Users in the migration table's snapshot (0: the bulk sync has not run). */
  snapshotUsers?: number;
  /**
   * Users the reset campaign will send a code to: every user not yet migrated (PENDING or
   * FLAGGED_FOR_RESET in the snapshot). Unknown before the bulk sync.
   */
  codeRecipients?: number;
}

/** Cognito's default email account sends at most this many messages a day per pool. */
export const COGNITO_DEFAULT_EMAIL_PER_DAY = 50;

const schemaOf = (pool: UserPoolType) => new Map((pool.SchemaAttributes ?? []).map((a) => [a.Name ?? '', a]));
const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort().join(',') || '(none)';
const caseSensitive = (pool: UserPoolType) => pool.UsernameConfiguration?.CaseSensitive !== false;

const attributeFindings = ({ source, target, config }: PreflightInput): Finding[] => {
  const findings: Finding[] = [];
  const sourceSchema = schemaOf(source);
  const targetSchema = schemaOf(target);
  const { renames, drops, legacySubAttribute } = config.attributeMap;
  for (const name of sourceSchema.keys()) {
    if (!name.startsWith('custom:') || drops.includes(name)) continue;
    const mapped = renames[name] ?? name;
    if (!targetSchema.has(mapped)) {
      findings.push({
        level: 'BLOCKER',
        code: 'TARGET_LACKS_ATTRIBUTE',
        message: `Source attribute "${name}" has no "${mapped}" in the target pool; its values would be lost`,
        fix: `add it to the target (AddCustomAttributes), or map it in attributeMap.renames or attributeMap.drops`,
      });
    }
  }
  if (legacySubAttribute && !targetSchema.has(legacySubAttribute)) {
    findings.push({
      level: 'WARNING',
      code: 'NO_LEGACY_SUB_ATTRIBUTE',
      message: `Target pool has no "${legacySubAttribute}": users' old sub will not be kept`,
      fix: `add a mutable String attribute "${legacySubAttribute}" to the target, or set attributeMap.legacySubAttribute to null`,
    });
  }
  for (const [name, attribute] of targetSchema) {
    // Every pool has `sub`, and Cognito fills it; a describe output that omits it (some
    // implementations list only the attributes given at creation) says nothing about the source.
    if (name === 'sub' || !attribute.Required || sourceSchema.get(name)?.Required) continue;
    findings.push({
      level: 'BLOCKER',
      code: 'REQUIRED_ATTRIBUTE_DIFFERS',
      message: `Target pool requires "${name}", which the source does not; users without it cannot be migrated`,
      fix: 'required attributes cannot change after creation: recreate the target pool without it',
    });
  }
  return findings;
};

const signInFindings = ({ source, target, collisions }: PreflightInput): Finding[] => {
  const findings: Finding[] = [];
  if (sorted(source.UsernameAttributes) !== sorted(target.UsernameAttributes)) {
    findings.push({
      level: 'BLOCKER',
      code: 'USERNAME_ATTRIBUTES_DIFFER',
      message: `Username attributes differ: source ${sorted(source.UsernameAttributes)}, target ${sorted(target.UsernameAttributes)}`,
      fix: "recreate the target pool with the source's UsernameAttributes (they cannot change after creation)",
    });
  }
  if (sorted(source.AliasAttributes) !== sorted(target.AliasAttributes)) {
    findings.push({
      level: 'WARNING',
      code: 'ALIASES_DIFFER',
      message: `Sign-in aliases differ: source ${sorted(source.AliasAttributes)}, target ${sorted(target.AliasAttributes)}`,
      fix: 'users who sign in with an alias the target lacks cannot migrate that way; align AliasAttributes',
    });
  }
  if (caseSensitive(source) && !caseSensitive(target)) {
    const groups = Object.entries(collisions ?? {});
    findings.push({
      level: groups.length > 0 ? 'BLOCKER' : 'INFO',
      code: 'CASE_FOLDING',
      message:
        groups.length > 0
          ? `Case-insensitive target, case-sensitive source: ${groups.length} login name(s) belong to several source users: ` +
            groups
              .slice(0, 10)
              .map(([key, names]) => `${key} (${names.join(', ')})`)
              .join('; ')
          : 'Case-insensitive target fed by a case-sensitive source; no source names collide',
      fix:
        groups.length > 0
          ? 'rename or delete all but one user of each name in the source; until then those users are refused (AMBIGUOUS_USER)'
          : 'none needed',
    });
  }
  if (caseSensitive(target)) {
    findings.push({
      level: 'WARNING',
      code: 'CASE_SENSITIVE_TARGET',
      message: 'Target pool is case-sensitive: "John" and "john" would be different users',
      fix: "create the target with UsernameConfiguration.CaseSensitive=false (AWS's recommended setting)",
    });
  }
  return findings;
};

const mfaFindings = ({ source, target, config }: PreflightInput): Finding[] => {
  if ((source.MfaConfiguration ?? 'OFF') === 'OFF') return [];
  const findings: Finding[] = [
    {
      level: 'WARNING',
      code: 'MFA_FACTOR_CANNOT_MOVE',
      message:
        config.mfaPolicy === 'reject'
          ? 'Source users with TOTP or email-OTP MFA will be refused (mfaPolicy "reject")'
          : 'Source users with TOTP or email-OTP MFA will migrate into RESET_REQUIRED and must re-enrol their factor',
      fix: 'tell those users; their authenticator secrets cannot be read from Cognito',
    },
  ];
  if ((target.MfaConfiguration ?? 'OFF') === 'OFF') {
    findings.push({
      level: 'WARNING',
      code: 'TARGET_MFA_OFF',
      message: 'Source has MFA but the target has MfaConfiguration OFF: SMS-MFA users cannot keep SMS MFA',
      fix: 'set the target MfaConfiguration to OPTIONAL with an SMS configuration',
    });
  }
  return findings;
};

const triggerArn = (pool: UserPoolType, name: 'UserMigration' | 'PreSignUp' | 'PostAuthentication') =>
  pool.LambdaConfig?.[name];

const wiringFindings = ({ target, sourceClient, targetClient }: PreflightInput): Finding[] => {
  const findings: Finding[] = [];
  if (!targetClient) {
    findings.push({
      level: 'WARNING',
      code: 'TARGET_CLIENT_UNKNOWN',
      message: 'No target app client configured, so its auth flows were not checked',
      fix: 'set target.clientId in the configuration',
    });
  } else if (!(targetClient.ExplicitAuthFlows ?? []).includes('ALLOW_USER_PASSWORD_AUTH')) {
    findings.push({
      level: 'BLOCKER',
      code: 'TARGET_CLIENT_NO_PASSWORD_AUTH',
      message: `Target app client ${targetClient.ClientId} lacks ALLOW_USER_PASSWORD_AUTH: the trigger never sees the password with SRP`,
      fix: 'add ALLOW_USER_PASSWORD_AUTH to the client and switch the app to USER_PASSWORD_AUTH for the window',
    });
  }
  if (sourceClient && !(sourceClient.ExplicitAuthFlows ?? []).includes('ALLOW_ADMIN_USER_PASSWORD_AUTH')) {
    findings.push({
      level: 'BLOCKER',
      code: 'SOURCE_CLIENT_NO_ADMIN_AUTH',
      message: `Source migration client ${sourceClient.ClientId} lacks ALLOW_ADMIN_USER_PASSWORD_AUTH`,
      fix: 'add ALLOW_ADMIN_USER_PASSWORD_AUTH to the source migration client (or create a dedicated one)',
    });
  }
  if (!triggerArn(target, 'UserMigration')) {
    findings.push({
      level: 'BLOCKER',
      code: 'TRIGGER_NOT_ATTACHED',
      message: 'Target pool has no UserMigration trigger: nobody will migrate at sign-in',
      fix: 'attach the lazy-migrate function as the UserMigration trigger (see the README, "attaching triggers")',
    });
  }
  for (const name of ['PreSignUp', 'PostAuthentication'] as const) {
    if (triggerArn(target, name)) continue;
    findings.push({
      level: 'WARNING',
      code: 'TRIGGER_NOT_ATTACHED',
      message: `Target pool has no ${name} trigger (${name === 'PreSignUp' ? 'the sign-up guard' : 'group restoration'})`,
      fix: `attach the ${name === 'PreSignUp' ? 'lazy-migrate' : 'group-sync'} function as the ${name} trigger`,
    });
  }
  const mechanisms = (target.AccountRecoverySetting?.RecoveryMechanisms ?? []).map((m) => m.Name);
  if (mechanisms.length === 0 || mechanisms.every((name) => name === 'admin_only')) {
    findings.push({
      level: 'BLOCKER',
      code: 'NO_ACCOUNT_RECOVERY',
      message: 'Target pool has no account recovery by email or phone: the reset campaign cannot send codes',
      fix: 'set AccountRecoverySetting to verified_email (and/or verified_phone_number)',
    });
  }
  return findings;
};

/**
 * The legacy-sub attribute must be unwritable by every app client: a stranger who can set it on
 * their own account could pass for a legacy user to anything that trusts it. A client without
 * WriteAttributes writes only standard attributes (AWS: "When you don't specify the
 * WriteAttributes for your app client, your app can write the values of the Standard attributes").
 */
const legacySubFindings = ({ targetClients, config }: PreflightInput): Finding[] => {
  const attribute = config.attributeMap.legacySubAttribute;
  if (!attribute) return [];
  return (targetClients ?? [])
    .filter((client) => (client.WriteAttributes ?? []).includes(attribute))
    .map((client) => ({
      level: 'BLOCKER' as const,
      code: 'LEGACY_SUB_WRITABLE',
      message: `Target app client ${client.ClientId} (${client.ClientName ?? 'unnamed'}) can write "${attribute}": a user could claim another user's legacy sub`,
      fix: `remove "${attribute}" from that client's WriteAttributes (UpdateUserPoolClient)`,
    }));
};

const recoversByPhone = (pool: UserPoolType): boolean =>
  (pool.AccountRecoverySetting?.RecoveryMechanisms ?? []).some((m) => m.Name === 'verified_phone_number') ||
  (pool.UsernameAttributes ?? []).includes('phone_number');

/**
 * Can the target send the codes the campaign (and forgot-password during the window) will
 * send? Cognito's default email account sends 50 a day; SMS needs a role Cognito publishes
 * with, and SNS's spend limit and sandbox apply.
 */
const deliveryFindings = ({ target, codeRecipients }: PreflightInput): Finding[] => {
  const findings: Finding[] = [];
  const recipients = codeRecipients ?? 0;
  const account = target.EmailConfiguration?.EmailSendingAccount ?? 'COGNITO_DEFAULT';
  if (account !== 'DEVELOPER') {
    const days = Math.ceil(recipients / COGNITO_DEFAULT_EMAIL_PER_DAY);
    findings.push({
      level: recipients > COGNITO_DEFAULT_EMAIL_PER_DAY ? 'BLOCKER' : 'WARNING',
      code: 'EMAIL_DEFAULT_ACCOUNT',
      message:
        `Target pool sends email with Cognito's default account (${COGNITO_DEFAULT_EMAIL_PER_DAY} messages a day); ` +
        (codeRecipients === undefined
          ? 'the reset campaign and forgot-password will send one code per user not yet migrated'
          : `the reset campaign will send ${recipients} code(s) (about ${days} day(s) at that limit), plus forgot-password codes`),
      fix:
        'send through SES: deployment.targetPool.email (verified identity and configuration set) for a pool the stack creates, ' +
        'or UpdateUserPool EmailConfiguration { EmailSendingAccount: DEVELOPER, SourceArn } for an existing one; leave the SES sandbox first',
    });
  } else {
    findings.push({
      level: 'INFO',
      code: 'EMAIL_SES_QUOTA',
      message: `Target pool sends email through SES (${target.EmailConfiguration?.SourceArn ?? 'identity not shown'}); the campaign will send ${recipients} code(s)`,
      fix: 'check that the SES account is out of the sandbox and its daily sending quota (GetAccount SendQuota.Max24HourSend) covers them',
    });
  }
  if (recoversByPhone(target)) {
    if (!target.SmsConfiguration?.SnsCallerArn) {
      findings.push({
        level: recipients > 0 ? 'BLOCKER' : 'WARNING',
        code: 'NO_SMS_ROLE',
        message: `Target pool recovers accounts by phone but has no SMS role; codes to ${recipients} user(s) by SMS cannot be sent`,
        fix: 'give the pool an SmsConfiguration (SnsCallerArn, ExternalId) — a pool the stack creates with phone recovery or SMS MFA gets one',
      });
    } else {
      findings.push({
        level: 'WARNING',
        code: 'SMS_SPEND_LIMIT',
        message: `Target pool sends SMS codes through SNS; up to ${recipients} user(s) may get one`,
        fix: 'move SNS SMS out of the sandbox and raise the monthly SMS spend limit (default USD 1) to cover them',
      });
    }
  }
  return findings;
};

/** The scope's attribute must exist in the source, or every user is out of scope and nobody moves. */
const scopeFindings = ({ source, sourceClient, config }: PreflightInput): Finding[] => {
  const scope = config.migrationScope;
  if (!scope) return [];
  const findings: Finding[] = [];
  // Describe outputs may omit standard attributes; a custom one is listed when it exists.
  if (scope.attribute.startsWith('custom:') && !schemaOf(source).has(scope.attribute)) {
    findings.push({
      level: 'BLOCKER',
      code: 'SCOPE_ATTRIBUTE_UNKNOWN',
      message: `migrationScope names "${scope.attribute}", which the source pool does not have: every user would be out of scope`,
      fix: 'name an attribute of the source pool in migrationScope.attribute (custom ones with their "custom:" prefix)',
    });
  }
  const readable = sourceClient?.ReadAttributes;
  if (readable && readable.length > 0 && !readable.includes(scope.attribute)) {
    findings.push({
      level: 'INFO',
      code: 'SCOPE_ATTRIBUTE_NOT_IN_TOKEN',
      message: `The source migration client cannot read "${scope.attribute}": each out-of-scope sign-in spends one more AdminGetUser, and answers a little later than an unknown user's`,
      fix: `add "${scope.attribute}" to the migration client's ReadAttributes`,
    });
  }
  return findings;
};

/**
 * Whether an app client lets a user set `attribute` on their own account: a client without
 * WriteAttributes writes the standard attributes only (AWS: "When you don't specify the
 * WriteAttributes for your app client, your app can write the values of the Standard attributes").
 */
const clientWrites = (client: UserPoolClientType, attribute: string): boolean => {
  const writable = client.WriteAttributes ?? [];
  return writable.length === 0 ? !attribute.startsWith('custom:') : writable.includes(attribute);
};

/**
 * A scope attribute users can write themselves lets any source user move into this target (set
 * it, sign in, be migrated). An immutable attribute is written only at sign-up, so it counts only
 * where users may sign up themselves. A warning, not a blocker: the source already trusts that
 * value (its own apps see the user in that tenant), and some sources let users choose it.
 */
const scopeWriterFindings = ({ source, sourceClients, config }: PreflightInput): Finding[] => {
  const scope = config.migrationScope;
  if (!scope) return [];
  if (!sourceClients) {
    return [
      {
        level: 'INFO',
        code: 'SCOPE_WRITERS_UNKNOWN',
        message: `The source pool's app clients could not be listed: whether a user can set "${scope.attribute}" themselves is unchecked`,
        fix: 'allow cognito-idp:ListUserPoolClients and DescribeUserPoolClient on the source pool, and run preflight again',
      },
    ];
  }
  const immutable = schemaOf(source).get(scope.attribute)?.Mutable === false;
  const selfSignUp = source.AdminCreateUserConfig?.AllowAdminCreateUserOnly !== true;
  if (immutable && !selfSignUp) return [];
  return sourceClients
    .filter((client) => clientWrites(client, scope.attribute))
    .map((client) => ({
      level: 'WARNING' as const,
      code: 'SCOPE_ATTRIBUTE_WRITABLE',
      message:
        `Source app client ${client.ClientId} (${client.ClientName ?? 'unnamed'}) lets users ${immutable ? 'choose' : 'change'} ` +
        `"${scope.attribute}" themselves: any source user could move into this migration's scope and be migrated into the target`,
      fix: `remove "${scope.attribute}" from that client's WriteAttributes (UpdateUserPoolClient; a client without WriteAttributes writes every standard attribute), or scope on an attribute only administrators set`,
    }));
};

const LEVEL_ORDER: Record<FindingLevel, number> = { BLOCKER: 0, WARNING: 1, INFO: 2 };

/** Compares the two pools, their clients and the snapshot; blockers first. */
export const runPreflightChecks = (input: PreflightInput): Finding[] => {
  const findings = [
    ...attributeFindings(input),
    ...signInFindings(input),
    ...mfaFindings(input),
    ...wiringFindings(input),
    ...legacySubFindings(input),
    ...deliveryFindings(input),
    ...scopeFindings(input),
    ...scopeWriterFindings(input),
  ];
  if (input.snapshotUsers === 0) {
    findings.push({
      level: 'INFO',
      code: 'NO_SNAPSHOT',
      message: 'The migration table holds no snapshot yet',
      fix: 'run `cognito-migrate sync start --wait` before opening the window',
    });
  }
  return findings.sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
};
