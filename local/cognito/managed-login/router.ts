import { text } from 'node:stream/consumers';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizePageError, AuthorizeRedirectError, checkAuthorizeRequest } from './authorize-request';
import { authorize, discovery, logout } from './oauth';
import { token } from './token-endpoint';
import { userInfo } from './user-info';
import { forgotPasswordPage, errorPage, loginPage } from './pages';
import { submitChallenge, submitConfirmForgotPassword, submitForgotPassword, submitLogin } from './login';
import { html, type Reply } from './reply';
import type { OpContext } from '../context';
import type { PoolRecord } from '../types';

type Handler = (
  ctx: OpContext,
  req: IncomingMessage,
  url: URL,
  body: URLSearchParams,
) => Promise<Reply> | Reply;

const regionOf = (pool: PoolRecord): string => pool.arn.split(':')[3] ?? 'us-east-1';

/** Pages that work on a checked authorize request: the triggers they run see the pool's region. */
const withRequest =
  (
    handle: (
      ctx: OpContext,
      req: ReturnType<typeof checkAuthorizeRequest>,
      form: URLSearchParams,
    ) => Promise<Reply> | Reply,
  ): Handler =>
  (ctx, _req, url, body) => {
    const request = checkAuthorizeRequest(ctx, url.searchParams);
    return handle({ ...ctx, region: regionOf(request.pool) }, request, body);
  };

const ROUTES: Record<string, Handler> = {
  'GET /oauth2/authorize': (ctx, req, url) => authorize(ctx, url.searchParams, req.headers.cookie),
  'GET /login': withRequest((_ctx, r) => html(loginPage({ query: r.query }))),
  'POST /login': withRequest(submitLogin),
  'POST /login/challenge': withRequest(submitChallenge),
  'GET /forgotPassword': withRequest((_ctx, r) => html(forgotPasswordPage({ query: r.query }))),
  'POST /forgotPassword': withRequest(submitForgotPassword),
  'POST /confirmForgotPassword': withRequest(submitConfirmForgotPassword),
  'POST /oauth2/token': (ctx, req, _url, body) => token(ctx, body, req.headers.authorization),
  'GET /oauth2/userInfo': (ctx, req) => userInfo(ctx, req.headers.authorization),
  'POST /oauth2/userInfo': (ctx, req) => userInfo(ctx, req.headers.authorization),
  'GET /logout': (ctx, req, url) => logout(ctx, url.searchParams, req.headers.cookie),
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (req.method !== 'POST') return new URLSearchParams();
  return new URLSearchParams(await text(req));
}

function write(res: ServerResponse, reply: Reply): void {
  if (reply.kind === 'redirect') {
    res.writeHead(302, {
      location: reply.location,
      ...(reply.cookies ? { 'set-cookie': reply.cookies } : {}),
    });
    res.end();
    return;
  }
  const text = reply.kind === 'html' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': reply.kind === 'html' ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(reply.kind === 'html' ? { 'cache-control': 'no-store' } : (reply.headers ?? {})),
    ...(reply.kind === 'html' && reply.cookies ? { 'set-cookie': reply.cookies } : {}),
  });
  res.end(text);
}

/**
 * Serves managed login (the hosted UI) and the OIDC discovery document; answers false for any
 * other request, which the API server then handles.
 */
export function managedLoginRouter(ctx: Omit<OpContext, 'region'>, endpoint: () => string) {
  const base: OpContext = { ...ctx, region: 'us-east-1' };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const wellKnown = /^\/([^/]+)\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (req.method === 'GET' && wellKnown) {
      const pool = ctx.store.pools.get(wellKnown[1]!);
      if (!pool) return false;
      write(res, discovery(base, pool, endpoint()));
      return true;
    }
    const handler = ROUTES[`${req.method} ${url.pathname}`];
    if (!handler) return false;
    try {
      write(res, await handler(base, req, url, await readForm(req)));
    } catch (error) {
      if (error instanceof AuthorizeRedirectError)
        write(res, { kind: 'redirect', location: error.location() });
      else if (error instanceof AuthorizePageError)
        write(res, html(errorPage(error.error, error.message), error.status));
      else throw error;
    }
    return true;
  };
}
