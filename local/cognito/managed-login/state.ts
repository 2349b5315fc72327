import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store';
import type { AuthenticationResult } from '../issue';

/** An authorization code between the sign-in and its redemption at /oauth2/token. */
export interface AuthorizationCode {
  poolId: string;
  clientId: string;
  userKey: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  nonce?: string;
  tokens: AuthenticationResult;
  expires: number;
}

/** The managed login session a browser holds as a cookie after signing in. */
export interface BrowserSession {
  poolId: string;
  userKey: string;
  created: number;
  expires: number;
}

/** Managed login's state for one emulator: domains, codes, browser sessions, refresh scopes. */
export interface ManagedLoginState {
  /** Domain prefix to pool ID. */
  domains: Map<string, string>;
  codes: Map<string, AuthorizationCode>;
  sessions: Map<string, BrowserSession>;
  /** Scopes granted with a refresh token, so a refresh grant keeps them. */
  refreshScopes: Map<string, string[]>;
}

const states = new WeakMap<Store, ManagedLoginState>();

/** The managed login state of the emulator that owns `store`. */
export function managedLoginState(store: Store): ManagedLoginState {
  let state = states.get(store);
  if (!state)
    states.set(
      store,
      (state = { domains: new Map(), codes: new Map(), sessions: new Map(), refreshScopes: new Map() }),
    );
  return state;
}

export const opaqueToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

// RFC 7636 section 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export const validVerifier = (verifier: string): boolean => VERIFIER.test(verifier);

/** Whether a domain's pool is this pool (the managed login endpoints exist only for pools with a domain). */
export function domainOf(state: ManagedLoginState, poolId: string): string | undefined {
  for (const [domain, owner] of state.domains) if (owner === poolId) return domain;
  return undefined;
}
