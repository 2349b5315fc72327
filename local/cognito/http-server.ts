import { text } from 'node:stream/consumers';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { poolNotFound, toCognitoError } from './errors';
import type { Dispatcher } from './dispatch';
import type { Outbox } from './outbox';
import type { Store } from './store';
import type { TokenService } from './tokens';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const JSON_TYPE = 'application/x-amz-json-1.1';

export interface HttpDeps {
  dispatcher: Dispatcher;
  outbox: Outbox;
  store: Store;
  tokens: TokenService;
  /** Managed login (hosted UI) pages and OAuth endpoints; answers false for other requests. */
  managedLogin?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Refuse a pool asked for in another Region than its id's. */
  regionalPools: boolean;
}

/** The signing region from a SigV4 Authorization header (Credential=KEY/DATE/REGION/SERVICE/...). */
function regionOf(req: IncomingMessage): string {
  const match = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
  return match?.[1] ?? 'us-east-1';
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': headers['content-type'] ?? 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

async function handle(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (deps.managedLogin && (await deps.managedLogin(req, res))) return;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET') {
    const jwks = /^\/([^/]+)\/\.well-known\/jwks\.json$/.exec(url.pathname);
    if (jwks && deps.store.pools.has(jwks[1]!)) return send(res, 200, deps.tokens.jwks(jwks[1]!));
    if (url.pathname === '/local/outbox') {
      const filter = {
        userPoolId: url.searchParams.get('userPoolId') ?? undefined,
        username: url.searchParams.get('username') ?? undefined,
      };
      return send(res, 200, { messages: deps.outbox.list(filter) });
    }
    return send(res, 404, { message: `Not found: ${url.pathname}` });
  }
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  try {
    const raw = await text(req);
    const input = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const region = regionOf(req);
    // A user pool lives in one Region (its id starts with it); asked in another Region, AWS
    // does not find it. This is what a client configured with the wrong Region meets.
    const poolId = input.UserPoolId;
    if (deps.regionalPools && typeof poolId === 'string' && poolId.split('_')[0] !== region) {
      throw poolNotFound(poolId);
    }
    const output = await deps.dispatcher.call(operation, input, region);
    send(res, 200, output, { 'content-type': JSON_TYPE });
  } catch (error) {
    const failure = toCognitoError(error);
    send(
      res,
      failure.statusCode,
      { __type: failure.name, message: failure.message },
      { 'content-type': JSON_TYPE, 'x-amzn-errortype': failure.name },
    );
  }
}

/** Listens on 127.0.0.1 only. */
export async function listen(deps: HttpDeps, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(deps, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: 'InternalErrorException', message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
