import * as sdk from '@aws-sdk/client-cognito-identity-provider';
import { startLocalStack, type LocalStack } from '#local/stack';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';
import { motoServerPath, startMoto, type Moto } from '../../support/moto';

const MOTO = motoServerPath();
const PASSWORD = 'Passw0rd!';

if (!MOTO) {
  it('a local stack over a moto source is skipped: moto_server is not on PATH (pip install "moto[server]")', () => {
    expect(MOTO).toBeUndefined();
  });
} else {
  describe('a local stack whose source pool is held by moto (--source-endpoint)', () => {
    let moto: Moto;
    let source: sdk.CognitoIdentityProviderClient;
    let stack: LocalStack;
    let sourcePoolId: string;

    beforeAll(async () => {
      moto = await startMoto(MOTO);
      source = new sdk.CognitoIdentityProviderClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { ...LOCAL_CREDENTIALS },
      });
      const { UserPool } = await source.send(
        new sdk.CreateUserPoolCommand({ PoolName: 'legacy', AliasAttributes: ['email'] }),
      );
      sourcePoolId = UserPool!.Id!;
      const { UserPoolClient } = await source.send(
        new sdk.CreateUserPoolClientCommand({
          UserPoolId: sourcePoolId,
          ClientName: 'migration',
          ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      await source.send(
        new sdk.AdminCreateUserCommand({
          UserPoolId: sourcePoolId,
          Username: 'jane',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: 'jane@example.com' },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await source.send(
        new sdk.AdminSetUserPasswordCommand({
          UserPoolId: sourcePoolId,
          Username: 'jane',
          Password: PASSWORD,
          Permanent: true,
        }),
      );
      stack = await startLocalStack({
        externalSource: {
          endpoint: moto.endpoint,
          userPoolId: sourcePoolId,
          migrationClientId: UserPoolClient!.ClientId!,
        },
      });
    }, 60_000);

    afterAll(async () => {
      await stack?.close();
      source?.destroy();
      await moto?.stop();
    });

    it('creates no source pool in the emulator and records the external endpoint in the state', () => {
      expect(stack.state.source.userPoolId).toBe(sourcePoolId);
      expect(stack.state.sourceCognitoEndpoint).toBe(moto.endpoint);
      expect([...stack.emulator.store.pools.keys()]).toEqual([stack.state.target.userPoolId]);
    });

    it('migrates a moto user at their first sign-in to the target, password kept', async () => {
      const signedIn = await stack.cognito.send(
        new sdk.InitiateAuthCommand({
          ClientId: stack.state.target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'jane', PASSWORD },
        }),
      );
      expect(signedIn.AuthenticationResult?.IdToken).toBeDefined();
      const migrated = await stack.cognito.send(
        new sdk.AdminGetUserCommand({ UserPoolId: stack.state.target.userPoolId, Username: 'jane' }),
      );
      expect(migrated.UserAttributes).toEqual(
        expect.arrayContaining([{ Name: 'email', Value: 'jane@example.com' }]),
      );
    });
  });
}
