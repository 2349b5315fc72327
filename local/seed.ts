import pLimit from 'p-limit';
import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { totpCode } from '#local/cognito/totp';
import { DEFAULT_SHAPE, poolShapeOf, schemaAttributes, type PoolShape } from '#local/seed-schema';
import { seededRandom } from './seeded-random';

/** How a seeded user was set up, so the demo knows what each one should experience. */
export type SeedKind = 'confirmed' | 'unconfirmed' | 'temporary-password' | 'disabled';

export interface SeededUser {
  username: string;
  email: string;
  /** The password that signs in (the temporary one for `temporary-password` users). */
  password: string;
  kind: SeedKind;
  emailVerified: boolean;
  phoneNumber?: string;
  mfa: 'none' | 'sms' | 'totp';
  groups: string[];
  /** The population's tenant and plan (`custom:tenant`, `custom:plan` where the pool has them). */
  tenant: string;
  plan: string;
  /** Schema attributes besides email and phone: name, required standard ones, custom ones. */
  attributes: Record<string, string>;
}

/** Sends one Cognito operation: through an SDK client, or in-process to the emulator (`emulator.call`). */
export type CognitoCall = (operation: string, input: object) => Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A CognitoCall through the AWS SDK: works against the emulator's endpoint and against AWS. */
export const sdkCall =
  (client: sdk.CognitoIdentityProviderClient): CognitoCall =>
  (operation, input) => {
    const Command = (sdk as unknown as Record<string, new (input: object) => sdk.AdminGetUserCommand>)[
      `${operation}Command`
    ];
    if (!Command) throw new Error(`Unknown Cognito operation ${operation}`);
    return client.send(new Command(input)) as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

/**
 * A CognitoCall that waits and retries when the pool answers TooManyRequestsException, so a pool
 * behind quotas is seeded at the quota's pace, as a real pool would be.
 */
export const retryingThrottles =
  (call: CognitoCall, sleep: (ms: number) => Promise<void>, attempts = 100): CognitoCall =>
  async (operation, input) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call(operation, input);
      } catch (error) {
        if ((error as Error).name !== 'TooManyRequestsException' || attempt >= attempts) throw error;
        await sleep(Math.min(1000, 20 * attempt));
      }
    }
  };

export interface SeedOptions {
  /** How to reach the pool: `sdkCall(client)`, or `emulator.call` in-process (3-5x faster). */
  call: CognitoCall;
  userPoolId: string;
  /** An app client of the pool without a secret, allowing ADMIN_USER_PASSWORD_AUTH (for SignUp and TOTP). */
  clientId: string;
  users: number;
  /** The same seed gives the same users, passwords and groups. @default 1 */
  seed?: number;
  /** Requests in flight. @default 16 */
  concurrency?: number;
  onProgress?: (done: number) => void;
  /** Time for TOTP codes. @default Date.now */
  now?: () => number;
  /** `custom:tenant` values to deal out in turn (a multi-tenant source). @default 40 drawn tenants */
  tenants?: readonly string[];
}

export const SEED_GROUPS = [
  { name: 'admins', precedence: 1, description: 'Administrators' },
  { name: 'editors', precedence: 5, description: 'Can edit content' },
  { name: 'viewers', precedence: 10, description: 'Read-only' },
  { name: 'billing', precedence: 20, description: 'Billing contacts' },
  { name: 'beta', description: 'Beta programme' },
  { name: 'support', precedence: 15, description: 'Support staff' },
] as const;

const FIRST = [
  'Ann',
  'bob',
  'Chloé',
  'dev',
  'Eve',
  'Farid',
  'grace',
  'Hana',
  'Ivan',
  'Jo',
  'Kai',
  'li',
  'Mia',
  'Noor',
];
const LAST = [
  'Smith',
  'o-brien',
  'Nguyen',
  'MÜLLER',
  'garcia',
  'Kowalski',
  'Tanaka',
  'Okafor',
  'Rossi',
  'Dubois',
];
const DOMAINS = ['Example.com', 'example.org', 'MAIL.example.net', 'corp.Example.io'];
const PLANS = ['free', 'pro', 'enterprise'];

const pick = <T>(random: () => number, values: readonly T[]): T =>
  values[Math.floor(random() * values.length)]!;

/** A password Cognito's default policy accepts (upper, lower, digit, symbol, 8+ characters). */
const passwordFor = (random: () => number): string =>
  `Pw-${Math.floor(random() * 36 ** 6).toString(36)}A${Math.floor(random() * 10)}!`;

/**
 * Draws the users of a pool: who they are and how each is set up, fitted to the pool's `shape`
 * (username attribute, MFA, sign-up, password policy, schema). Pure; no calls. The draws do not
 * depend on the shape, so one seed gives the same people in every pool.
 */
export const planUsers = (
  count: number,
  seed = 1,
  shape: PoolShape = DEFAULT_SHAPE,
  tenants?: readonly string[],
): SeededUser[] => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const first = pick(random, FIRST);
    const last = pick(random, LAST).replace('Ü', 'UE');
    // The index keeps names unique even after case folding, so the demo pool has no collisions.
    const username = `${first.normalize('NFD').replace(/[^\w]/g, '')}.${last}${i}`;
    const email = `${first.normalize('NFD').replace(/[^\w]/g, '')}.${last}${i}@${pick(random, DOMAINS)}`;
    const roll = random();
    const drawnKind: SeedKind =
      roll < 0.03
        ? 'unconfirmed'
        : roll < 0.05
          ? 'temporary-password'
          : roll < 0.07
            ? 'disabled'
            : 'confirmed';
    const emailVerified = drawnKind !== 'unconfirmed' && random() > 0.1;
    const mfaRoll = random();
    const drawnMfa =
      drawnKind !== 'confirmed' ? 'none' : mfaRoll < 0.03 ? 'sms' : mfaRoll < 0.05 ? 'totp' : 'none';
    const drawnPhone = drawnMfa === 'sms' || random() < 0.2;
    const groups = SEED_GROUPS.filter((_, g) => random() < (g === 0 ? 0.03 : 0.2)).map((g) => g.name);
    const password = passwordFor(random);
    // Drawn even when tenants are given, so the rest of the draws stay the same for a seed.
    const drawnTenant = `tenant-${Math.floor(random() * 40)}`;
    const tenant = tenants?.length ? tenants[i % tenants.length]! : drawnTenant;
    const plan = pick(random, PLANS);
    // Only SignUp makes an UNCONFIRMED user; an admin-only pool gets a temporary password instead.
    const kind = drawnKind === 'unconfirmed' && !shape.signUp ? 'temporary-password' : drawnKind;
    const mfa = fitMfa(drawnMfa, kind, shape);
    const phoneNumber =
      drawnPhone || mfa === 'sms' || shape.usernameAttribute === 'phone_number' || shape.phoneRequired
        ? `+1555${String(1_000_000 + i).slice(-7)}`
        : undefined;
    const displayName = username.replace(/\d+$/, '').replace('.', ' ');
    return {
      username:
        shape.usernameAttribute === 'email'
          ? email
          : shape.usernameAttribute === 'phone_number'
            ? phoneNumber!
            : username,
      email,
      password: password.padEnd(shape.minPasswordLength, 'x'),
      kind,
      emailVerified,
      ...(phoneNumber ? { phoneNumber } : {}),
      mfa,
      groups,
      tenant,
      plan,
      attributes: Object.fromEntries(
        schemaAttributes(shape, i, displayName, { 'custom:tenant': tenant, 'custom:plan': plan }).map((a) => [
          a.Name,
          a.Value,
        ]),
      ),
    };
  });
};

/**
 * The MFA a user can have in the pool: none when MFA is OFF, SMS only with an SMS configuration;
 * with MFA ON every confirmed user gets SMS where the pool can send it (TOTP enrolment needs a
 * sign-in, which MFA ON turns into a challenge).
 */
const fitMfa = (drawn: SeededUser['mfa'], kind: SeedKind, shape: PoolShape): SeededUser['mfa'] => {
  if (shape.mfa === 'OFF') return 'none';
  if (shape.mfa === 'ON') return kind === 'confirmed' && shape.smsMfa ? 'sms' : 'none';
  return drawn === 'sms' && !shape.smsMfa ? 'none' : drawn;
};

const attributesOf = (user: SeededUser) => [
  { Name: 'email', Value: user.email },
  { Name: 'email_verified', Value: String(user.emailVerified) },
  ...(user.phoneNumber
    ? [
        { Name: 'phone_number', Value: user.phoneNumber },
        { Name: 'phone_number_verified', Value: 'true' },
      ]
    : []),
  ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
];

const enrolTotp = async (options: SeedOptions, user: SeededUser): Promise<void> => {
  const { call, userPoolId, clientId } = options;
  const auth = await call('AdminInitiateAuth', {
    UserPoolId: userPoolId,
    ClientId: clientId,
    AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
  });
  const accessToken = (auth.AuthenticationResult as { AccessToken?: string } | undefined)?.AccessToken;
  const { SecretCode } = await call('AssociateSoftwareToken', { AccessToken: accessToken });
  const now = options.now?.() ?? Date.now();
  await call('VerifySoftwareToken', { AccessToken: accessToken, UserCode: totpCode(SecretCode ?? '', now) });
  await call('AdminSetUserMFAPreference', {
    UserPoolId: userPoolId,
    Username: user.username,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });
};

const createUser = async (
  options: SeedOptions,
  user: SeededUser,
  immutable: ReadonlySet<string>,
): Promise<void> => {
  const { call, userPoolId, clientId } = options;
  if (user.kind === 'unconfirmed') {
    // SignUp, never confirmed: the way real UNCONFIRMED users come to exist.
    const attributes = attributesOf(user).filter((a) => !a.Name.endsWith('_verified'));
    // An app client without WriteAttributes writes standard attributes only (as on AWS);
    // the custom ones are set the way an operator would, with the admin API.
    await call('SignUp', {
      ClientId: clientId,
      Username: user.username,
      Password: user.password,
      UserAttributes: attributes.filter((a) => !a.Name.startsWith('custom:')),
    });
    // An immutable custom attribute can only be set when the user is created; SignUp through a
    // client that may not write it leaves it unset, as it would be on AWS.
    const custom = attributes.filter((a) => a.Name.startsWith('custom:') && !immutable.has(a.Name));
    if (custom.length > 0) {
      await call('AdminUpdateUserAttributes', {
        UserPoolId: userPoolId,
        Username: user.username,
        UserAttributes: custom,
      });
    }
    return;
  }
  await call('AdminCreateUser', {
    UserPoolId: userPoolId,
    Username: user.username,
    TemporaryPassword: user.password,
    MessageAction: 'SUPPRESS',
    UserAttributes: attributesOf(user),
  });
  if (user.kind !== 'temporary-password') {
    await call('AdminSetUserPassword', {
      UserPoolId: userPoolId,
      Username: user.username,
      Password: user.password,
      Permanent: true,
    });
  }
  for (const group of user.groups) {
    await call('AdminAddUserToGroup', { UserPoolId: userPoolId, Username: user.username, GroupName: group });
  }
  if (user.mfa === 'sms') {
    await call('AdminSetUserMFAPreference', {
      UserPoolId: userPoolId,
      Username: user.username,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    });
  }
  if (user.mfa === 'totp') await enrolTotp(options, user);
  if (user.kind === 'disabled') {
    await call('AdminDisableUser', { UserPoolId: userPoolId, Username: user.username });
  }
};

/**
 * Fills a source pool with a realistic population through the Cognito API: mixed-case names
 * and emails, groups and memberships, custom attributes, unverified emails, disabled,
 * unconfirmed and temporary-password users, SMS-MFA and TOTP users. Returns what it created,
 * passwords included, so a rehearsal can sign them in.
 */
export const seedSourcePool = async (options: SeedOptions): Promise<SeededUser[]> => {
  const { UserPool } = await options.call('DescribeUserPool', { UserPoolId: options.userPoolId });
  const shape = poolShapeOf(UserPool ?? {});
  const users = planUsers(options.users, options.seed ?? 1, shape, options.tenants);
  const immutable = new Set(shape.custom.filter((a) => a.Mutable === false).map((a) => a.Name ?? ''));
  for (const group of SEED_GROUPS) {
    await options.call('CreateGroup', {
      UserPoolId: options.userPoolId,
      GroupName: group.name,
      Description: group.description,
      ...('precedence' in group ? { Precedence: group.precedence } : {}),
    });
  }
  let done = 0;
  await pLimit(options.concurrency ?? 16).map(users, async (user) => {
    await createUser(options, user, immutable);
    done += 1;
    if (done % 100 === 0 || done === users.length) options.onProgress?.(done);
  });
  return users;
};
