import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeUserPoolCommand, type UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { readPoolConfigFile, unknownPoolFields } from '#local/pool-settings';
import { seedSourcePool, type CognitoCall } from '#local/seed';
import { startLocalStack } from '#local/stack';

// Made by scripts/make-pool-fixtures.sh: the real `aws cognito-idp describe-user-pool` output of
// pools created with the aws CLI against moto_server.
const FIXTURES = join(__dirname, '../../fixtures/pools');
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
const described = (file: string) =>
  (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { UserPool: UserPoolType }).UserPool;

/** Settings a copy must describe exactly as the original does. */
const SETTINGS = [
  'Policies',
  'AutoVerifiedAttributes',
  'AliasAttributes',
  'UsernameAttributes',
  'MfaConfiguration',
  'SmsConfiguration',
  'SmsAuthenticationMessage',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'EmailConfiguration',
  'AdminCreateUserConfig',
  'AccountRecoverySetting',
] as const;

const customAttributes = (pool: UserPoolType) =>
  (pool.SchemaAttributes ?? [])
    .filter((a) => /^(dev:)?custom:/.test(a.Name ?? ''))
    .map((a) => ({
      name: a.Name!.replace(/^dev:/, ''),
      type: a.AttributeDataType,
      mutable: a.Mutable,
      developerOnly: a.DeveloperOnlyAttribute,
    }));

const requiredAttributes = (pool: UserPoolType) =>
  (pool.SchemaAttributes ?? [])
    .filter((a) => a.Required && a.Name !== 'sub')
    .map((a) => a.Name)
    .sort();

describe('local start with describe-user-pool files of every pool shape', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.close());

  it('has a fixture for every shape the README promises', () => {
    expect(fixtures.sort()).toEqual([
      'alias.json',
      'custom-attributes.json',
      'email-username.json',
      'mfa-on.json',
      'mfa-optional.json',
      'password-policy.json',
      'phone-username.json',
    ]);
  });

  it.each(fixtures)('%s: every field is read or knowingly ignored', (file) => {
    expect(unknownPoolFields(JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')))).toEqual([]);
  });

  it.each(fixtures)(
    '%s: source and target describe with the same settings, and 1000 seeded users fit the schema',
    async (file) => {
      const original = described(file);
      const request = readPoolConfigFile(join(FIXTURES, file));
      const stack = await startLocalStack({
        dynamo,
        sourcePool: { replace: request },
        targetPool: { replace: request },
      });
      try {
        const users = await seedSourcePool({
          call: stack.emulator.call as CognitoCall,
          userPoolId: stack.state.source.userPoolId,
          clientId: stack.state.source.migrationClientId,
          users: 1000,
        });
        for (const poolId of [stack.state.source.userPoolId, stack.state.target.userPoolId]) {
          const { UserPool: copy } = await stack.cognito.send(
            new DescribeUserPoolCommand({ UserPoolId: poolId }),
          );
          for (const field of SETTINGS)
            expect({ [field]: copy![field] }).toEqual({ [field]: original[field] });
          expect(copy!.UsernameConfiguration?.CaseSensitive ?? true).toBe(
            original.UsernameConfiguration?.CaseSensitive ?? true,
          );
          expect(customAttributes(copy!)).toEqual(expect.arrayContaining(customAttributes(original)));
          expect(requiredAttributes(copy!)).toEqual(requiredAttributes(original));
        }
        expect(users).toHaveLength(1000);
        expect(stack.emulator.store.pool(stack.state.source.userPoolId).users.size).toBe(1000);
      } finally {
        await stack.close();
      }
    },
    60_000,
  );

  it('copies settings AWS prints that moto does not (sign-in policy, tier, device and update settings)', async () => {
    const extra = {
      Policies: {
        PasswordPolicy: { ...described('alias.json').Policies!.PasswordPolicy, PasswordHistorySize: 3 },
        SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
      },
      DeletionProtection: 'ACTIVE',
      UserPoolTier: 'PLUS',
      DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      Domain: 'legacy-users',
      EstimatedNumberOfUsers: 120_000,
    };
    const dir = mkdtempSync(join(tmpdir(), 'pool-config-aws-'));
    const path = join(dir, 'aws.json');
    writeFileSync(path, JSON.stringify({ UserPool: { ...described('alias.json'), ...extra } }));
    const stack = await startLocalStack({ dynamo, sourcePool: { replace: readPoolConfigFile(path) } });
    try {
      const { UserPool } = await stack.cognito.send(
        new DescribeUserPoolCommand({ UserPoolId: stack.state.source.userPoolId }),
      );
      const { Domain: _domain, EstimatedNumberOfUsers: _count, ...copied } = extra;
      expect(UserPool).toMatchObject(copied);
      expect(UserPool!.EstimatedNumberOfUsers).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('seeds users whose username is their email in an email-as-username pool', async () => {
    const stack = await startLocalStack({
      dynamo,
      sourcePool: { replace: readPoolConfigFile(join(FIXTURES, 'email-username.json')) },
    });
    try {
      const [user] = await seedSourcePool({
        call: stack.emulator.call as CognitoCall,
        userPoolId: stack.state.source.userPoolId,
        clientId: stack.state.source.migrationClientId,
        users: 1,
      });
      expect(user!.username).toBe(user!.email);
    } finally {
      await stack.close();
    }
  });
});

describe('readPoolConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pool-config-'));
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it.each([
    ['null', 'null', /null\.json: UserPool is missing/],
    ['a number', '42', /UserPool is missing/],
    [
      'SchemaAttributes that is not a list',
      '{"UserPool":{"SchemaAttributes":{"Name":"email"}}}',
      /SchemaAttributes must be a list/,
    ],
    [
      'a schema entry without a Name',
      '{"SchemaAttributes":[{"AttributeDataType":"String"}]}',
      /SchemaAttributes\[0\]\.Name/,
    ],
    [
      'an unknown MfaConfiguration',
      '{"UserPool":{"MfaConfiguration":"SOMETIMES"}}',
      /MfaConfiguration must be OFF, ON or OPTIONAL/,
    ],
    [
      'both alias and username attributes',
      '{"UserPool":{"AliasAttributes":["email"],"UsernameAttributes":["email"]}}',
      /AliasAttributes and UsernameAttributes/,
    ],
  ])('refuses %s, naming the file and the field', (_, content, message) => {
    const path = write(_ === 'null' ? 'null.json' : `${_.replace(/\W+/g, '-')}.json`, content);
    expect(() => readPoolConfigFile(path)).toThrow(message);
    expect(() => readPoolConfigFile(path)).toThrow(path);
  });

  it('names the file when it is not JSON', () => {
    const path = write('broken.json', '{ "UserPool": ');
    expect(() => readPoolConfigFile(path)).toThrow(`Pool settings "${path}" are not valid JSON`);
  });

  it('takes a null SchemaAttributes as no attributes', () => {
    expect(
      readPoolConfigFile(write('no-schema.json', '{"UserPool":{"Name":"p","SchemaAttributes":null}}')).Schema,
    ).toEqual([]);
  });

  it('keeps no default setting in an MFA OFF pool: no AliasAttributes, no SmsConfiguration', async () => {
    const request = readPoolConfigFile(join(FIXTURES, 'email-username.json'));
    const stack = await startLocalStack({ sourcePool: { replace: request } });
    try {
      const { UserPool } = await stack.cognito.send(
        new DescribeUserPoolCommand({ UserPoolId: stack.state.source.userPoolId }),
      );
      expect(UserPool).toMatchObject({ MfaConfiguration: 'OFF', UsernameAttributes: ['email'] });
      expect(UserPool!.AliasAttributes).toBeUndefined();
      expect(UserPool!.SmsConfiguration).toBeUndefined();
    } finally {
      await stack.close();
    }
  });
});
