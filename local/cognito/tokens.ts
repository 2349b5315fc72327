import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { notAuthorized } from './errors';
import type { ClientRecord, PoolRecord, UserRecord } from './types';

interface PoolKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export interface RefreshGrant {
  poolId: string;
  clientId: string;
  userKey: string;
  originJti: string;
  issuedAt: number;
  expires: number;
  revoked: boolean;
}

export interface AccessClaims {
  sub: string;
  username: string;
  client_id: string;
  origin_jti: string;
  iat: number;
  exp: number;
  token_use: string;
  [claim: string]: unknown;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

const UNIT_SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export function validitySeconds(
  client: ClientRecord,
  token: 'AccessToken' | 'IdToken' | 'RefreshToken',
): number {
  const value =
    token === 'AccessToken'
      ? client.accessTokenValidity
      : token === 'IdToken'
        ? client.idTokenValidity
        : client.refreshTokenValidity;
  return value * (UNIT_SECONDS[client.tokenValidityUnits[token]] ?? 3600);
}

/**
 * Signs and checks the pool's tokens. Access and ID tokens are RS256 JWTs signed with a key per
 * pool (served as JWKS); refresh tokens are opaque strings looked up here.
 */
export class TokenService {
  private readonly keys = new Map<string, PoolKey>();
  readonly refreshGrants = new Map<string, RefreshGrant>();
  private readonly revokedOrigins = new Set<string>();
  private keyPair?: { privateKey: KeyObject; publicKey: KeyObject };

  constructor(
    private readonly issuerBase: () => string,
    private readonly now: () => number,
  ) {}

  issuer(poolId: string): string {
    return `${this.issuerBase()}/${poolId}`;
  }

  keyFor(poolId: string): PoolKey {
    let key = this.keys.get(poolId);
    if (!key) {
      // One RSA key pair per emulator, under a distinct kid per pool: generating 2048-bit keys
      // costs hundreds of milliseconds, and a token still only verifies against its own pool's
      // JWKS (kid) and issuer.
      this.keyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
      key = this.installKey(poolId, randomUUID(), this.keyPair.privateKey, this.keyPair.publicKey);
    }
    return key;
  }

  jwks(poolId: string): { keys: Record<string, unknown>[] } {
    return { keys: [this.keyFor(poolId).publicJwk] };
  }

  exportKeys(): Record<string, { kid: string; pem: string }> {
    const out: Record<string, { kid: string; pem: string }> = {};
    for (const [poolId, key] of this.keys)
      out[poolId] = { kid: key.kid, pem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    return out;
  }

  importKeys(keys: Record<string, { kid: string; pem: string }>): void {
    for (const [poolId, { kid, pem }] of Object.entries(keys)) {
      const privateKey = createPrivateKey(pem);
      this.installKey(poolId, kid, privateKey, createPublicKey(privateKey));
    }
  }

  sign(poolId: string, claims: Record<string, unknown>): string {
    const key = this.keyFor(poolId);
    const header = b64url(JSON.stringify({ kid: key.kid, alg: 'RS256' }));
    const body = b64url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${body}`), key.privateKey);
    return `${header}.${body}.${b64url(signature)}`;
  }

  newRefreshToken(grant: Omit<RefreshGrant, 'revoked'>): string {
    const token = `${b64url(randomBytes(24))}.${b64url(randomBytes(48))}`;
    this.refreshGrants.set(token, { ...grant, revoked: false });
    return token;
  }

  /** Revokes a refresh token and every access token issued from it. */
  revoke(grant: RefreshGrant): void {
    grant.revoked = true;
    this.revokedOrigins.add(grant.originJti);
  }

  /** Checks an access token as GetUser does; throws NotAuthorizedException as AWS words it. */
  verifyAccessToken(
    token: unknown,
    pools: Map<string, PoolRecord>,
  ): { pool: PoolRecord; claims: AccessClaims } {
    const invalid = () => notAuthorized('Invalid Access Token');
    if (typeof token !== 'string') throw invalid();
    const [header, body, signature] = token.split('.');
    if (!header || !body || !signature) throw invalid();
    let claims: AccessClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AccessClaims;
    } catch {
      throw invalid();
    }
    const poolId = typeof claims.iss === 'string' ? claims.iss.slice(claims.iss.lastIndexOf('/') + 1) : '';
    const pool = pools.get(poolId);
    const key = pool && this.keys.get(poolId);
    if (!pool || !key || claims.token_use !== 'access') throw invalid();
    if (
      !verify('sha256', Buffer.from(`${header}.${body}`), key.publicKey, Buffer.from(signature, 'base64url'))
    )
      throw invalid();
    if (claims.exp * 1000 <= this.now()) throw notAuthorized('Access Token has expired');
    if (this.revokedOrigins.has(claims.origin_jti)) throw notAuthorized('Access Token has been revoked');
    return { pool, claims };
  }

  /** Whether a token issued at `iat` (seconds) predates the user's global sign-out. */
  static signedOut(user: UserRecord, iatSeconds: number): boolean {
    return iatSeconds * 1000 < user.tokensValidAfter;
  }

  private installKey(poolId: string, kid: string, privateKey: KeyObject, publicKey: KeyObject): PoolKey {
    const jwk = publicKey.export({ format: 'jwk' });
    const key = {
      kid,
      privateKey,
      publicKey,
      publicJwk: { alg: 'RS256', e: jwk.e, kid, kty: 'RSA', n: jwk.n, use: 'sig' },
    };
    this.keys.set(poolId, key);
    return key;
  }
}
