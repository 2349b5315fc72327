import { newTotpSecret } from '#local/cognito/totp';
import type { CognitoEmulator, DirectUser } from '#local/cognito/index';

/** Distinctive, so a hit anywhere in captured output cannot be a coincidence. */
export const PASSWORD = 'Pw-4c1d9e-Never-Log-Me!';
export const WRONG_PASSWORD = 'Pw-0b7f2a-Wrong-Guess!';

/** Source users, one per case the security suite checks. */
export const USERS = {
  active: 'jane',
  forgetful: 'omar',
  disabled: 'dora',
  unconfirmed: 'ulla',
  federated: 'Google_110248495921238986420',
  totp: 'tariq',
  squatted: 'sara',
  prober: 'walt',
  unknown: 'nobody-at-all',
} as const;

const email = (name: string) => `${name.toLowerCase()}@example.com`;

/**
 * Seeds the source pool straight into the emulator's store: an ordinary user, one who forgot
 * their password, a disabled one, an UNCONFIRMED one (who never verified the email), a federated
 * one (EXTERNAL_PROVIDER, no password, a verified email from the IdP) and one with TOTP MFA.
 */
export const seedSecurityPopulation = (emulator: CognitoEmulator, poolId: string): void => {
  const user = (username: string, extra: Partial<DirectUser>) =>
    emulator.store.createUserDirect(poolId, {
      username,
      attributes: { email: email(username), email_verified: 'true', name: username },
      password: PASSWORD,
      ...extra,
    });
  user(USERS.active, {});
  user(USERS.forgetful, {});
  user(USERS.squatted, {});
  user(USERS.prober, {});
  user(USERS.disabled, { enabled: false });
  user(USERS.unconfirmed, {
    status: 'UNCONFIRMED',
    attributes: { email: email(USERS.unconfirmed), email_verified: 'false' },
  });
  emulator.store.createUserDirect(poolId, {
    username: USERS.federated,
    status: 'EXTERNAL_PROVIDER',
    attributes: {
      email: 'fed@example.com',
      email_verified: 'true',
      identities: JSON.stringify([
        { userId: '110248495921238986420', providerName: 'Google', providerType: 'Google', primary: true },
      ]),
    },
  });
  const totp = user(USERS.totp, {});
  totp.mfa = { sms: false, totp: true, preferred: 'SOFTWARE_TOKEN_MFA', totpSecret: newTotpSecret() };
};
