/**
 * Conformance: behaviours the AWS documentation states explicitly, each test citing where. The API
 * reference pages are https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html;
 * constraints quoted below are also in the Cognito service model AWS publishes (botocore's
 * cognito-idp/2016-04-18/service-2.json).
 */
import {
  CreateGroupCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  ListUsersCommand,
  SetUserPoolMfaConfigCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPool, errorOf, useHarness } from './helpers';

const h = useHarness();
const SMS = { SnsCallerArn: 'arn:aws:iam::123456789012:role/cognito-sms', ExternalId: 'x' };

describe('ListUsers Filter on cognito:user_status', () => {
  // API_ListUsers, Filter: "cognito:user_status (called Status in the Console) (case-insensitive)";
  // "status (called Enabled in the Console) (case-sensitive)".
  it.each(['CONFIRMED', 'confirmed', 'Confirmed'])('matches CONFIRMED users for "%s"', async (value) => {
    const { poolId } = await createPool(h);
    h.emulator.store.createUserDirect(poolId, { username: 'a', status: 'CONFIRMED' });
    h.emulator.store.createUserDirect(poolId, { username: 'b', status: 'UNCONFIRMED' });
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: `cognito:user_status = "${value}"` }),
    );
    expect(page.Users!.map((u) => u.Username)).toEqual(['a']);
  });

  it('matches a status prefix in any case', async () => {
    const { poolId } = await createPool(h);
    h.emulator.store.createUserDirect(poolId, { username: 'a', status: 'FORCE_CHANGE_PASSWORD' });
    h.emulator.store.createUserDirect(poolId, { username: 'b', status: 'CONFIRMED' });
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: 'cognito:user_status ^= "force"' }),
    );
    expect(page.Users!.map((u) => u.Username)).toEqual(['a']);
  });

  it('keeps the status (Enabled) filter case-sensitive', async () => {
    const { poolId } = await createPool(h);
    h.emulator.store.createUserDirect(poolId, { username: 'a', enabled: false });
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: 'status = "disabled"' }),
    );
    expect(page.Users).toEqual([]);
  });
});

describe('ListUsers AttributesToGet', () => {
  // API_ListUsers, AttributesToGet: "Amazon Cognito returns an error if not all users in the results
  // have set a value for the attribute you request. Attributes that you can't filter on, including
  // custom attributes, must have a value set in every user profile before an AttributesToGet
  // parameter returns results."
  it('fails when a user in the results has no value for a requested attribute', async () => {
    const { poolId } = await createPool(h, { Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
    h.emulator.store.createUserDirect(poolId, { username: 'a', attributes: { 'custom:tenant': 't1' } });
    h.emulator.store.createUserDirect(poolId, { username: 'b' });
    const error = await errorOf(
      h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, AttributesToGet: ['custom:tenant'] })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('custom:tenant');
  });

  it('answers when every user in the results has the attribute (a filter can narrow them)', async () => {
    const { poolId } = await createPool(h, { Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
    h.emulator.store.createUserDirect(poolId, { username: 'a', attributes: { 'custom:tenant': 't1' } });
    h.emulator.store.createUserDirect(poolId, { username: 'b' });
    const page = await h.cognito.send(
      new ListUsersCommand({
        UserPoolId: poolId,
        Filter: 'username = "a"',
        AttributesToGet: ['custom:tenant'],
      }),
    );
    expect(page.Users![0]!.Attributes).toEqual([{ Name: 'custom:tenant', Value: 't1' }]);
  });
});

describe('CreateGroup / UpdateGroup RoleArn', () => {
  // API_CreateGroup, RoleArn: "Length Constraints: Minimum length of 20. Maximum length of 2048.
  // Pattern: arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?"
  it.each([
    ['not an ARN', 'role-for-admins-group'],
    ['too short', 'arn:aws:iam::1:r'],
    ['no account id', 'arn:aws:iam::role/admins'],
  ])('CreateGroup refuses a RoleArn that is %s with InvalidParameterException', async (_, roleArn) => {
    const { poolId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', RoleArn: roleArn })),
    );
    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('roleArn');
  });

  it('CreateGroup accepts an IAM role ARN and UpdateGroup refuses an invalid one', async () => {
    const { poolId } = await createPool(h);
    const roleArn = 'arn:aws:iam::123456789012:role/cognito/admins';
    const { Group } = await h.cognito.send(
      new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', RoleArn: roleArn }),
    );
    expect(Group!.RoleArn).toBe(roleArn);
    const error = await errorOf(
      h.cognito.send(
        new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', RoleArn: 'admins-role' }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('GetUserPoolMfaConfig / SetUserPoolMfaConfig', () => {
  // API_GetUserPoolMfaConfig and API_SetUserPoolMfaConfig: the pool's MfaConfiguration (OFF, ON,
  // OPTIONAL), SmsMfaConfiguration (SmsAuthenticationMessage, SmsConfiguration) and
  // SoftwareTokenMfaConfiguration (Enabled). "You can set SmsConfiguration in CreateUserPool and
  // UpdateUserPool, or in SetUserPoolMfaConfig" (SmsMfaConfigType).
  it('answers OFF and no factor for a pool created without MFA', async () => {
    const { poolId } = await createPool(h);
    const config = await h.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    expect(config.MfaConfiguration).toBe('OFF');
    expect(config.SmsMfaConfiguration).toBeUndefined();
  });

  it('reports the SMS configuration a pool was created with', async () => {
    const { poolId } = await createPool(h, { MfaConfiguration: 'OPTIONAL', SmsConfiguration: SMS });
    const config = await h.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    expect(config).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      SmsMfaConfiguration: { SmsConfiguration: SMS },
    });
  });

  it('sets TOTP and SMS MFA; DescribeUserPool shows the new mode and SMS settings', async () => {
    const { poolId } = await createPool(h);
    const set = await h.cognito.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
        SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code: {####}', SmsConfiguration: SMS },
      }),
    );
    expect(set).toMatchObject({
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsAuthenticationMessage: 'Code: {####}', SmsConfiguration: SMS },
    });
    const got = await h.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
    expect(got.SoftwareTokenMfaConfiguration).toEqual({ Enabled: true });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(UserPool).toMatchObject({
      MfaConfiguration: 'ON',
      SmsConfiguration: SMS,
      SmsAuthenticationMessage: 'Code: {####}',
    });
  });

  it('refuses MFA ON without a factor in the call', async () => {
    const { poolId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' })),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('answers ResourceNotFoundException for an unknown pool', async () => {
    const error = await errorOf(
      h.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: 'us-east-1_missing' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
  });
});

describe('DescribeUserPool of a pool with MFA OFF', () => {
  // API_UserPoolType: SmsConfiguration is the pool's own SMS setting; a pool created without one
  // has none to describe.
  it('describes no SmsConfiguration when none was given', async () => {
    const { poolId } = await createPool(h, { MfaConfiguration: 'OFF' });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(UserPool!.SmsConfiguration).toBeUndefined();
  });
});
