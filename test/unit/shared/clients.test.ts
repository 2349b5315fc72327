import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import {
  assumeRoleCredentials,
  createLambdaClient,
  createSfnClient,
  createSourceCognitoClient,
  createTargetCognitoClient,
} from '#shared/clients';
import { ManualClock } from '#shared/clock';
import { createDocumentClient } from '#shared/table/context';
import { parseConfig, type ConfigInput } from '#shared/config';
import { SourceUnavailableError } from '#shared/errors';
import { unlimited } from '#shared/rate-limiter';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/cognito-migrate-source-read';
const EXTERNAL_ID = 'ext-7f3a9c';
const STATIC = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const HOUR_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;

const makeConfig = (overrides: Partial<ConfigInput> = {}) =>
  parseConfig({
    region: 'eu-west-1',
    source: { userPoolId: 'eu-west-1_Source1', migrationClientId: 'client-1' },
    target: { userPoolId: 'eu-west-1_Target1' },
    tableName: 'migration',
    migrationWindowEnd: '2026-06-30T00:00:00Z',
    credentials: STATIC,
    ...overrides,
  });

const crossAccount = (overrides: Partial<ConfigInput> = {}) =>
  makeConfig({
    source: {
      userPoolId: 'eu-west-1_Source1',
      migrationClientId: 'client-1',
      roleArn: ROLE_ARN,
      externalId: EXTERNAL_ID,
    },
    ...overrides,
  });

/** An STS client whose AssumeRole answers credentials valid for one hour of `clock` time. */
const mockedSts = (clock: ManualClock) => {
  const sts = new STSClient({ region: 'eu-west-1', credentials: STATIC });
  const stsMock = mockClient(sts);
  let issued = 0;
  stsMock.on(AssumeRoleCommand).callsFake(async () => {
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${issued}`,
        SecretAccessKey: 'assumed-secret',
        SessionToken: `session-${issued}`,
        Expiration: new Date(clock.now() + HOUR_MS),
      },
    };
  });
  return { sts, stsMock };
};

describe('assumeRoleCredentials', () => {
  it('assumes the role with its ExternalId and a session name', async () => {
    const clock = new ManualClock();
    const { sts, stsMock } = mockedSts(clock);

    const credentials = await assumeRoleCredentials({
      sts,
      roleArn: ROLE_ARN,
      externalId: EXTERNAL_ID,
      clock,
    })();

    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE_ARN,
      ExternalId: EXTERNAL_ID,
      RoleSessionName: 'cognito-migrate',
    });
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', sessionToken: 'session-1' });
  });

  it('serves cached credentials while they are valid', async () => {
    const clock = new ManualClock();
    const { sts, stsMock } = mockedSts(clock);
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID, clock });
    await provider();
    clock.advance(30 * MINUTE_MS);

    const credentials = await provider();

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(credentials.accessKeyId).toBe('ASIA1');
  });

  it('refreshes credentials five minutes before they expire', async () => {
    const clock = new ManualClock();
    const { sts, stsMock } = mockedSts(clock);
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID, clock });
    await provider();
    clock.advance(HOUR_MS - 5 * MINUTE_MS - 1);
    const justBefore = await provider();

    clock.advance(1);
    const atFiveMinutes = await provider();

    expect(justBefore.accessKeyId).toBe('ASIA1');
    expect(atFiveMinutes.accessKeyId).toBe('ASIA2');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('makes one AssumeRole call for concurrent first callers', async () => {
    const clock = new ManualClock();
    const { sts, stsMock } = mockedSts(clock);
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID, clock });

    const all = await Promise.all(Array.from({ length: 10 }, () => provider()));

    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
  });

  it('surfaces a failed AssumeRole as SourceUnavailableError with the cause', async () => {
    const sts = new STSClient({ region: 'eu-west-1', credentials: STATIC });
    const denied = Object.assign(new Error('not authorized to perform sts:AssumeRole'), {
      name: 'AccessDenied',
    });
    mockClient(sts).on(AssumeRoleCommand).rejects(denied);
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID });

    const error = await provider().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect((error as Error).message).toContain(ROLE_ARN);
    expect((error as Error).cause).toBe(denied);
  });

  it('tries STS again on the next call after a failure', async () => {
    const clock = new ManualClock();
    const sts = new STSClient({ region: 'eu-west-1', credentials: STATIC });
    mockClient(sts)
      .on(AssumeRoleCommand)
      .rejectsOnce(new Error('network down'))
      .resolves({
        Credentials: {
          AccessKeyId: 'ASIA-RETRY',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(clock.now() + HOUR_MS),
        },
      });
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID, clock });
    await expect(provider()).rejects.toBeInstanceOf(SourceUnavailableError);

    const credentials = await provider();

    expect(credentials.accessKeyId).toBe('ASIA-RETRY');
  });

  it('keeps serving unexpired credentials when a refresh fails, and fails once they expire', async () => {
    const clock = new ManualClock();
    const sts = new STSClient({ region: 'eu-west-1', credentials: STATIC });
    mockClient(sts)
      .on(AssumeRoleCommand)
      .resolvesOnce({
        Credentials: {
          AccessKeyId: 'ASIA-FIRST',
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(clock.now() + HOUR_MS),
        },
      })
      .rejects(new Error('STS unavailable'));
    const provider = assumeRoleCredentials({ sts, roleArn: ROLE_ARN, externalId: EXTERNAL_ID, clock });
    await provider();
    clock.advance(HOUR_MS - MINUTE_MS);

    const stillValid = await provider();
    clock.advance(MINUTE_MS);
    const expired = provider();

    expect(stillValid.accessKeyId).toBe('ASIA-FIRST');
    await expect(expired).rejects.toBeInstanceOf(SourceUnavailableError);
  });
});

describe('createSourceCognitoClient', () => {
  it('reads a pool in another account through the assumed role', async () => {
    const clock = new ManualClock();
    const { sts, stsMock } = mockedSts(clock);
    const client = createSourceCognitoClient(crossAccount(), { sts, clock });

    const credentials = await client.config.credentials();

    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE_ARN,
      ExternalId: EXTERNAL_ID,
    });
    expect(credentials.accessKeyId).toBe('ASIA1');
  });

  it('makes no STS call for a pool in the same account', async () => {
    const { sts, stsMock } = mockedSts(new ManualClock());
    const client = createSourceCognitoClient(makeConfig(), { sts });

    const credentials = await client.config.credentials();

    expect(stsMock).not.toHaveReceivedCommand(AssumeRoleCommand);
    expect(credentials).toMatchObject(STATIC);
  });

  it('uses the source region when it differs from the migrator region', async () => {
    const config = makeConfig({
      source: { userPoolId: 'us-east-2_Source1', region: 'us-east-2', migrationClientId: 'client-1' },
    });

    const client = createSourceCognitoClient(config);

    await expect(client.config.region()).resolves.toBe('us-east-2');
  });
});

type Recorded = { url: string; body: string };

/** A local HTTP endpoint that records requests and answers with `respond` (or never, if it returns false). */
const startEndpoint = async (respond: (request: Recorded, res: ServerResponse) => boolean) => {
  const requests: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, requests, close };
};

const assumeRoleXml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIA-FROM-ENDPOINT</AccessKeyId>
      <SecretAccessKey>secret</SecretAccessKey>
      <SessionToken>token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;

describe('client factories', () => {
  it('sends AssumeRole to the STS endpoint from config', async () => {
    const sts = await startEndpoint((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(assumeRoleXml);
      return true;
    });
    try {
      const client = createSourceCognitoClient(crossAccount({ endpoints: { sts: sts.url } }));

      const credentials = await client.config.credentials();

      expect(credentials.accessKeyId).toBe('ASIA-FROM-ENDPOINT');
      expect(sts.requests).toHaveLength(1);
      expect(sts.requests[0]!.body).toContain(`ExternalId=${EXTERNAL_ID}`);
    } finally {
      await sts.close();
    }
  });

  it.each([
    ['cognito alone reaches both pools', { cognito: 'http://127.0.0.1:9229' }, 9229, 9229],
    [
      'per-pool endpoints override cognito',
      {
        cognito: 'http://127.0.0.1:9229',
        sourceCognito: 'http://127.0.0.1:9001',
        targetCognito: 'http://127.0.0.1:9002',
      },
      9001,
      9002,
    ],
  ])('points Cognito clients at their endpoints: %s', async (_case, endpoints, sourcePort, targetPort) => {
    const config = makeConfig({ endpoints });

    const source = await createSourceCognitoClient(config).config.endpoint?.();
    const target = await createTargetCognitoClient(config).config.endpoint?.();

    expect(source).toMatchObject({ hostname: '127.0.0.1', port: sourcePort });
    expect(target).toMatchObject({ hostname: '127.0.0.1', port: targetPort });
  });

  it('points DynamoDB, Step Functions and Lambda clients at their endpoints', async () => {
    const config = makeConfig({
      endpoints: {
        dynamodb: 'http://127.0.0.1:8000',
        sfn: 'http://127.0.0.1:8083',
        lambda: 'http://127.0.0.1:3001',
      },
    });

    const dynamodb = await createDocumentClient(config).config.endpoint?.();
    const sfn = await createSfnClient(config).config.endpoint?.();
    const lambda = await createLambdaClient(config).config.endpoint?.();

    expect([dynamodb?.port, sfn?.port, lambda?.port]).toEqual([8000, 8083, 3001]);
  });

  it('gives every client maxAttempts, the static credentials and the region from config', async () => {
    const config = makeConfig({ sdk: { maxAttempts: 7 } });
    const clients = [
      createSourceCognitoClient(config),
      createTargetCognitoClient(config),
      createDocumentClient(config),
      createSfnClient(config),
      createLambdaClient(config),
    ];

    const settings = await Promise.all(
      clients.map(async ({ config: c }) => ({
        maxAttempts: await c.maxAttempts(),
        credentials: await c.credentials(),
        region: await c.region(),
      })),
    );

    for (const s of settings) {
      expect(s).toEqual({
        maxAttempts: 7,
        credentials: expect.objectContaining(STATIC),
        region: 'eu-west-1',
      });
    }
  });

  it('drops undefined attributes when writing to DynamoDB', () => {
    const client = createDocumentClient(makeConfig());

    expect(client.config.translateConfig?.marshallOptions?.removeUndefinedValues).toBe(true);
  });

  it('abandons a request that exceeds requestTimeoutMs', async () => {
    const silent = await startEndpoint(() => false);
    try {
      const config = makeConfig({
        endpoints: { cognito: silent.url },
        sdk: { connectionTimeoutMs: 250, requestTimeoutMs: 100, maxAttempts: 1 },
      });
      const client = createTargetCognitoClient(config);

      // The abort is only a backstop: if requestTimeout were not applied, the test fails in 2 s
      // with an AbortError instead of hanging on a server that never answers.
      const sent = client.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_Target1' }), {
        abortSignal: AbortSignal.timeout(2000),
      });

      await expect(sent).rejects.toMatchObject({ name: 'TimeoutError' });
      const handler = client.config.requestHandler as NodeHttpHandler;
      expect(handler).toBeInstanceOf(NodeHttpHandler);
      expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: 250, requestTimeout: 100 });
    } finally {
      await silent.close();
    }
  });

  it('meters Cognito clients with the limiter it is given', () => {
    const config = makeConfig();

    const limited = createTargetCognitoClient(config, { limiter: unlimited });
    const bare = createTargetCognitoClient(config);

    expect(limited.middlewareStack.identify().join()).toContain('cognitoRateLimiter');
    expect(bare.middlewareStack.identify().join()).not.toContain('cognitoRateLimiter');
  });
});
