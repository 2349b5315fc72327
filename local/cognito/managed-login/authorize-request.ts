import { domainOf, managedLoginState } from './state';
import type { OpContext } from '../context';
import type { ClientRecord, PoolRecord } from '../types';

/** The app client's OAuth settings, as CreateUserPoolClient/UpdateUserPoolClient stored them. */
export interface OAuthSettings {
  enabled: boolean;
  flows: string[];
  scopes: string[];
  callbackUrls: string[];
  logoutUrls: string[];
  providers: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

export function oauthSettings(client: ClientRecord): OAuthSettings {
  const extra = client.extra;
  return {
    enabled: extra.AllowedOAuthFlowsUserPoolClient === true,
    flows: strings(extra.AllowedOAuthFlows),
    scopes: strings(extra.AllowedOAuthScopes),
    callbackUrls: strings(extra.CallbackURLs),
    logoutUrls: strings(extra.LogoutURLs),
    providers: strings(extra.SupportedIdentityProviders),
  };
}

/** A checked /oauth2/authorize (or /login) request. */
export interface AuthorizeRequest {
  pool: PoolRecord;
  client: ClientRecord;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  /** The query string to carry from page to page (the same parameters /oauth2/authorize got). */
  query: string;
}

/** A request the emulator must not redirect: an error page for the person at the browser. */
export class AuthorizePageError extends Error {
  constructor(
    readonly error: string,
    detail: string,
    readonly status = 400,
  ) {
    super(detail);
    this.name = 'AuthorizePageError';
  }
}

/** A request error that goes back to the (registered) redirect URI as `error` and `state`. */
export class AuthorizeRedirectError extends Error {
  constructor(
    readonly error: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'AuthorizeRedirectError';
  }

  location(): string {
    const url = new URL(this.redirectUri);
    url.searchParams.set('error', this.error);
    url.searchParams.set('error_description', this.message);
    if (this.state !== undefined) url.searchParams.set('state', this.state);
    return url.toString();
  }
}

function findClient(ctx: OpContext, clientId: string | null) {
  for (const pool of ctx.store.pools.values()) {
    const client = clientId ? pool.clients.get(clientId) : undefined;
    if (client) return { pool, client };
  }
  return undefined;
}

/**
 * Checks the parameters of the authorization endpoint as the Cognito documentation describes
 * them (https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html):
 * an unknown client or a redirect_uri that is not one of the client's CallbackURLs is shown as
 * an error page and never redirected to; other faults go back to the redirect URI as an OAuth
 * error (RFC 6749 section 4.1.2.1). `scope` defaults to all of AllowedOAuthScopes; PKCE
 * supports S256 only, as Cognito does.
 */
export function checkAuthorizeRequest(ctx: OpContext, params: URLSearchParams): AuthorizeRequest {
  const found = findClient(ctx, params.get('client_id'));
  if (!found) throw new AuthorizePageError('invalid_request', 'Client does not exist.');
  const { pool, client } = found;
  if (!domainOf(managedLoginState(ctx.store), pool.id))
    throw new AuthorizePageError(
      'invalid_request',
      `User pool ${pool.id} has no domain; managed login needs CreateUserPoolDomain first.`,
      404,
    );
  const settings = oauthSettings(client);
  const redirectUri = params.get('redirect_uri') ?? '';
  if (!settings.callbackUrls.includes(redirectUri))
    throw new AuthorizePageError('redirect_mismatch', 'redirect_mismatch');
  const state = params.get('state') ?? undefined;
  const refuse = (error: string, detail: string) =>
    new AuthorizeRedirectError(error, redirectUri, state, detail);
  if (!settings.enabled || !settings.providers.includes('COGNITO'))
    throw refuse('unauthorized_client', 'Client is not enabled for OAuth 2.0 sign-in with COGNITO.');
  const responseType = params.get('response_type');
  if (responseType !== 'code')
    throw refuse(
      'unsupported_response_type',
      responseType === 'token'
        ? 'The implicit grant is not implemented by the emulator; use response_type=code.'
        : 'response_type must be code.',
    );
  if (!settings.flows.includes('code'))
    throw refuse('unauthorized_client', 'Client is not allowed the authorization code grant.');
  const requested = params.get('scope');
  const scopes = requested === null ? settings.scopes : requested.split(/[\s+]+/).filter(Boolean);
  if (scopes.some((s) => !settings.scopes.includes(s)))
    throw refuse('invalid_scope', 'Requested scope is not allowed for this client.');
  const codeChallenge = params.get('code_challenge') ?? undefined;
  if (codeChallenge !== undefined && params.get('code_challenge_method') !== 'S256')
    throw refuse('invalid_request', 'code_challenge_method must be S256.');
  return {
    pool,
    client,
    redirectUri,
    scopes,
    state,
    nonce: params.get('nonce') ?? undefined,
    codeChallenge,
    query: params.toString(),
  };
}
