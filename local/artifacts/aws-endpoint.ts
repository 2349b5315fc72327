import { text } from 'node:stream/consumers';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoint serves for one function name. */
export interface LocalLambdaTarget {
  invoke(payload: unknown): Promise<{ ok: true; payload: unknown } | { ok: false; error: unknown }>;
  enqueue(payload: unknown): string;
}

export interface AssumedRole {
  roleArn: string;
  externalId: string | undefined;
  sessionName: string;
}

export interface LocalAwsEndpoint {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL_LAMBDA and AWS_ENDPOINT_URL_STS of the functions. */
  endpoint: string;
  /** Every AssumeRole call, for tests that check the ExternalId reached STS. */
  assumedRoles: AssumedRole[];
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

const sendJson = (
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
};

/** `cognito-migrate-dev-group-sync`, its ARN or partial ARN (`123:function:name`), with an optional qualifier. */
const functionNameOf = (raw: string): string => {
  const name = decodeURIComponent(raw);
  const parts = name.split(':');
  const index = parts.indexOf('function');
  return index >= 0 ? parts[index + 1]! : parts[0]!;
};

const assumeRoleXml = (
  role: AssumedRole,
  expiration: Date,
) => `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIALOCAL${randomUUID().slice(0, 8).toUpperCase()}</AccessKeyId>
      <SecretAccessKey>local</SecretAccessKey>
      <SessionToken>local-session</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROALOCAL:${role.sessionName}</AssumedRoleId>
      <Arn>${role.roleArn.replace(':role/', ':assumed-role/')}/${role.sessionName}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

/**
 * The two AWS APIs the functions call besides Cognito and DynamoDB, on 127.0.0.1: Lambda's
 * Invoke (REST-JSON; `Event` answers 202 and queues, `RequestResponse` answers the payload with
 * `X-Amz-Function-Error: Unhandled` on failure) and STS AssumeRole (query protocol, for a source
 * pool in another account). The functions reach it through AWS_ENDPOINT_URL_LAMBDA/_STS, the
 * SDK's own endpoint settings, so their code and configuration are the deployed ones.
 */
export const startLocalAwsEndpoint = async (
  functions: (name: string) => LocalLambdaTarget | undefined,
): Promise<LocalAwsEndpoint> => {
  const assumedRoles: AssumedRole[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await text(req);
    const invoke = INVOKE_PATH.exec(url.pathname);
    if (req.method === 'POST' && invoke) {
      const name = functionNameOf(invoke[1]!);
      const target = functions(name);
      if (!target) {
        return sendJson(res, 404, JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }), {
          'x-amzn-errortype': 'ResourceNotFoundException',
        });
      }
      const payload: unknown = body ? JSON.parse(body) : {};
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'Event') {
        target.enqueue(payload);
        return sendJson(res, 202, '');
      }
      if (type === 'DryRun') return sendJson(res, 204, '');
      const result = await target.invoke(payload);
      return result.ok
        ? sendJson(res, 200, JSON.stringify(result.payload ?? null), { 'x-amz-executed-version': '$LATEST' })
        : sendJson(res, 200, JSON.stringify(result.error), {
            'x-amz-executed-version': '$LATEST',
            'x-amz-function-error': 'Unhandled',
          });
    }
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && form.get('Action') === 'AssumeRole') {
      const role: AssumedRole = {
        roleArn: form.get('RoleArn') ?? '',
        externalId: form.get('ExternalId') ?? undefined,
        sessionName: form.get('RoleSessionName') ?? 'session',
      };
      assumedRoles.push(role);
      const seconds = Number(form.get('DurationSeconds') ?? 3600);
      const xml = assumeRoleXml(role, new Date(Date.now() + seconds * 1000));
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(xml) });
      return res.end(xml);
    }
    return sendJson(
      res,
      404,
      JSON.stringify({ message: `Not served locally: ${req.method} ${url.pathname}` }),
    );
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ message: error.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    assumedRoles,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
