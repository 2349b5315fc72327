import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** The app the local stack registers as the target client's callback: it shows the code exchange's result. */
export interface CallbackApp {
  /** http://127.0.0.1:PORT */
  origin: string;
  callbackUrl: string;
  signedOutUrl: string;
  /** Names the app client and the emulator once the client exists. */
  configure(settings: { cognitoEndpoint: string; clientId: string; scope: string }): void;
  close(): Promise<void>;
}

const escape = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const claimsOf = (jwt: unknown): Record<string, unknown> =>
  typeof jwt === 'string'
    ? (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
        string,
        unknown
      >)
    : {};

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:.8rem;overflow:auto}</style></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;

/**
 * Starts the rehearsal app on 127.0.0.1: `/` begins a sign-in (authorization code with PKCE and
 * state), `/callback` exchanges the code at the emulator's token endpoint and shows the tokens'
 * claims, `/signed-out` is the client's sign-out URL. A callback without a known state (the
 * printed login URL carries none) is exchanged without a verifier.
 */
export async function startCallbackApp(): Promise<CallbackApp> {
  let settings: { cognitoEndpoint: string; clientId: string; scope: string } | undefined;
  const verifiers = new Map<string, string>();
  let origin = '';

  const start = (res: ServerResponse) => {
    if (!settings) return send(res, 503, page('Not ready', '<p>The local stack is still starting.</p>'));
    const state = randomBytes(16).toString('base64url');
    const verifier = randomBytes(32).toString('base64url');
    verifiers.set(state, verifier);
    const url = new URL('/oauth2/authorize', settings.cognitoEndpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: `${origin}/callback`,
      scope: settings.scope,
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    res.writeHead(302, { location: url.toString() });
    res.end();
  };

  const callback = async (url: URL, res: ServerResponse) => {
    if (!settings) return send(res, 503, page('Not ready', '<p>The local stack is still starting.</p>'));
    const error = url.searchParams.get('error');
    if (error)
      return send(
        res,
        400,
        page(
          'Sign-in failed',
          `<p id="error">${escape(error)}: ${escape(url.searchParams.get('error_description') ?? '')}</p>`,
        ),
      );
    const state = url.searchParams.get('state') ?? '';
    const verifier = verifiers.get(state);
    verifiers.delete(state);
    const response = await fetch(new URL('/oauth2/token', settings.cognitoEndpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: settings.clientId,
        code: url.searchParams.get('code') ?? '',
        redirect_uri: `${origin}/callback`,
        ...(verifier ? { code_verifier: verifier } : {}),
      }),
    });
    const tokens = (await response.json()) as Record<string, unknown>;
    if (!response.ok)
      return send(
        res,
        400,
        page('Code exchange failed', `<pre id="error">${escape(JSON.stringify(tokens, null, 2))}</pre>`),
      );
    const id = claimsOf(tokens.id_token);
    const access = claimsOf(tokens.access_token);
    const groups = (id['cognito:groups'] as string[] | undefined) ?? [];
    const signOut = new URL('/logout', settings.cognitoEndpoint);
    signOut.search = new URLSearchParams({
      client_id: settings.clientId,
      logout_uri: `${origin}/signed-out`,
    }).toString();
    send(
      res,
      200,
      page(
        'Signed in',
        `<p>Signed in as <strong id="username">${escape(String(id['cognito:username'] ?? access.username ?? ''))}</strong>
(groups: <span id="groups">${escape(groups.join(', '))}</span>) with PKCE: <span id="pkce">${verifier ? 'yes' : 'no'}</span>.</p>
<p><a id="sign-out" href="${escape(signOut.toString())}">Sign out</a></p>
<h2>ID token claims</h2><pre id="id-token-claims">${escape(JSON.stringify(id, null, 2))}</pre>
<h2>Access token claims</h2><pre id="access-token-claims">${escape(JSON.stringify(access, null, 2))}</pre>
<p>Refresh token received: <span id="refresh">${tokens.refresh_token ? 'yes' : 'no'}</span></p>`,
      ),
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method !== 'GET') return send(res, 405, page('Method not allowed', ''));
    if (url.pathname === '/') return start(res);
    if (url.pathname === '/callback') return callback(url, res);
    if (url.pathname === '/signed-out')
      return send(res, 200, page('Signed out', `<p><a href="/">Sign in again</a></p>`));
    return send(res, 404, page('Not found', ''));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, page('Error', `<pre>${escape(String(error))}</pre>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    origin,
    callbackUrl: `${origin}/callback`,
    signedOutUrl: `${origin}/signed-out`,
    configure: (next) => void (settings = next),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
