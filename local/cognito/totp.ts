import { createHmac, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A base32 TOTP secret, as AssociateSoftwareToken returns. */
export function newTotpSecret(): string {
  return Array.from(randomBytes(32), (b) => ALPHABET[b % 32]).join('');
}

function decodeBase32(secret: string): Buffer {
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase())
    bits += ALPHABET.indexOf(ch).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 code (SHA-1, 30 s steps, 6 digits) for the step containing `atMs`. */
export function totpCode(secret: string, atMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', decodeBase32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

/** Accepts the current step and one either side, for clock drift. */
export function verifyTotp(secret: string, code: unknown, nowMs: number): boolean {
  return typeof code === 'string' && [-30_000, 0, 30_000].some((d) => totpCode(secret, nowMs + d) === code);
}
