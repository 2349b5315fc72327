import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { invalidPassword } from './errors';
import type { PasswordPolicy, UserRecord } from './types';

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

// Salted SHA-256 rather than a slow KDF: the emulator must create thousands of users a second,
// and it never holds real credentials (see DIVERGENCES.md).
export function hashPassword(password: string): { salt: string; hash: string } {
  const salt = randomBytes(8).toString('hex');
  return { salt, hash: digest(salt, password) };
}

export function verifyPassword(user: UserRecord, password: string): boolean {
  if (!user.password || typeof password !== 'string') return false;
  const expected = Buffer.from(user.password.hash, 'hex');
  const actual = Buffer.from(digest(user.password.salt, password), 'hex');
  return timingSafeEqual(expected, actual);
}

function digest(salt: string, password: string): string {
  return createHash('sha256').update(salt).update(password).digest('hex');
}

const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** Throws InvalidPasswordException with AWS's wording when the password breaks the policy. */
export function checkPolicy(policy: PasswordPolicy, password: unknown): asserts password is string {
  const fail = (why: string) => invalidPassword(`Password did not conform with policy: ${why}`);
  if (typeof password !== 'string' || password.length < 6) throw fail('Password not long enough');
  if (password.length < policy.MinimumLength) throw fail('Password not long enough');
  if (policy.RequireLowercase && !/[a-z]/.test(password))
    throw fail('Password must have lowercase characters');
  if (policy.RequireUppercase && !/[A-Z]/.test(password))
    throw fail('Password must have uppercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.RequireSymbols && !SYMBOLS.test(password)) throw fail('Password must have symbol characters');
}

/** A temporary password that satisfies any policy up to 16 characters. */
export function temporaryPassword(): string {
  return `Tmp${randomBytes(6).toString('hex')}a1!`;
}

/** A six-digit verification code, as Cognito sends. */
export function verificationCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}
