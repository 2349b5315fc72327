import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import {
  attachTriggers,
  type AttachTriggersEvent,
} from '../../infra/custom-resources/attach-triggers/attach-triggers';
import { TriggerSlotTakenError } from '../../infra/custom-resources/attach-triggers/lambda-config';
import {
  toUpdateUserPoolInput,
  UPDATABLE_FIELDS,
} from '../../infra/custom-resources/attach-triggers/update-user-pool-input';

const fn = (name: string) => `arn:aws:lambda:eu-west-1:111111111111:function:cognito-migrate-dev-${name}`;
const triggers = {
  UserMigration: fn('lazy-migrate'),
  PreSignUp: fn('lazy-migrate'),
  PreTokenGeneration: fn('group-sync'),
  PostAuthentication: fn('group-sync'),
};
const appTrigger = 'arn:aws:lambda:eu-west-1:111111111111:function:app-custom-message';

/** A DescribeUserPool answer with every setting away from its default, as a real pool might be. */
const existingPool = (): UserPoolType => ({
  Id: 'eu-west-1_Existing1',
  Name: 'customers',
  Arn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Existing1',
  Status: 'Enabled',
  CreationDate: new Date('2024-01-01T00:00:00Z'),
  LastModifiedDate: new Date('2024-06-01T00:00:00Z'),
  EstimatedNumberOfUsers: 1234,
  Policies: {
    PasswordPolicy: {
      MinimumLength: 12,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: false,
      PasswordHistorySize: 5,
      TemporaryPasswordValidityDays: 3,
    },
    SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD'] },
  },
  DeletionProtection: 'ACTIVE',
  LambdaConfig: { CustomMessage: appTrigger, KMSKeyID: 'arn:aws:kms:eu-west-1:111111111111:key/abc' },
  SchemaAttributes: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
  AutoVerifiedAttributes: ['email'],
  UsernameAttributes: ['email'],
  SmsVerificationMessage: 'Code {####}',
  EmailVerificationMessage: 'Your code is {####}',
  EmailVerificationSubject: 'Verify',
  VerificationMessageTemplate: {
    SmsMessage: 'Code {####}',
    EmailMessage: 'Your code is {####}',
    EmailSubject: 'Verify',
    EmailMessageByLink: 'Click {##Verify##}',
    EmailSubjectByLink: 'Verify by link',
    DefaultEmailOption: 'CONFIRM_WITH_CODE',
  },
  SmsAuthenticationMessage: 'Sign-in code {####}',
  UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
  MfaConfiguration: 'OPTIONAL',
  DeviceConfiguration: { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true },
  EmailConfiguration: {
    EmailSendingAccount: 'DEVELOPER',
    SourceArn: 'arn:aws:ses:eu-west-1:111111111111:identity/example.com',
    From: 'no-reply@example.com',
  },
  SmsConfiguration: {
    SnsCallerArn: 'arn:aws:iam::111111111111:role/sms',
    ExternalId: 'sms-ext',
    SnsRegion: 'eu-west-1',
  },
  UserPoolTags: { team: 'identity' },
  AdminCreateUserConfig: {
    AllowAdminCreateUserOnly: true,
    UnusedAccountValidityDays: 3,
    InviteMessageTemplate: { EmailMessage: 'Hi {username}, {####}', EmailSubject: 'Welcome' },
  },
  UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
  UsernameConfiguration: { CaseSensitive: false },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
  UserPoolTier: 'PLUS',
});

const cognito = mockClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'eu-west-1' });

const event = (
  RequestType: AttachTriggersEvent['RequestType'],
  extra: Partial<AttachTriggersEvent> = {},
) => ({
  RequestType,
  ResourceProperties: { UserPoolId: 'eu-west-1_Existing1', Triggers: triggers },
  ...extra,
});

beforeEach(() => {
  cognito.reset();
  cognito.on(DescribeUserPoolCommand).resolves({ UserPool: existingPool() });
  cognito.on(UpdateUserPoolCommand).resolves({});
});

describe('toUpdateUserPoolInput', () => {
  it('carries every updatable setting of the pool over unchanged (UpdateUserPool resets what it is not given)', () => {
    const pool = existingPool();

    const input = toUpdateUserPoolInput(pool, { PreSignUp: fn('lazy-migrate') });

    expect(input).toEqual({
      UserPoolId: 'eu-west-1_Existing1',
      LambdaConfig: { PreSignUp: fn('lazy-migrate') },
      PoolName: 'customers',
      Policies: pool.Policies,
      DeletionProtection: 'ACTIVE',
      AutoVerifiedAttributes: ['email'],
      VerificationMessageTemplate: {
        SmsMessage: 'Code {####}',
        EmailMessage: 'Your code is {####}',
        EmailSubject: 'Verify',
        DefaultEmailOption: 'CONFIRM_WITH_CODE',
      },
      SmsAuthenticationMessage: 'Sign-in code {####}',
      UserAttributeUpdateSettings: pool.UserAttributeUpdateSettings,
      MfaConfiguration: 'OPTIONAL',
      DeviceConfiguration: pool.DeviceConfiguration,
      EmailConfiguration: pool.EmailConfiguration,
      SmsConfiguration: pool.SmsConfiguration,
      UserPoolTags: { team: 'identity' },
      AdminCreateUserConfig: {
        AllowAdminCreateUserOnly: true,
        InviteMessageTemplate: pool.AdminCreateUserConfig!.InviteMessageTemplate,
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      AccountRecoverySetting: pool.AccountRecoverySetting,
      UserPoolTier: 'PLUS',
    });
  });

  it('keeps only the link message pair when the pool verifies by link (Cognito rejects both pairs)', () => {
    const pool = existingPool();
    pool.VerificationMessageTemplate!.DefaultEmailOption = 'CONFIRM_WITH_LINK';

    const input = toUpdateUserPoolInput(pool, {});

    expect(input.VerificationMessageTemplate).toEqual({
      SmsMessage: 'Code {####}',
      EmailMessageByLink: 'Click {##Verify##}',
      EmailSubjectByLink: 'Verify by link',
      DefaultEmailOption: 'CONFIRM_WITH_LINK',
    });
  });

  it('keeps UnusedAccountValidityDays only when the password policy does not carry the temporary password validity', () => {
    const pool = existingPool();
    delete pool.Policies!.PasswordPolicy!.TemporaryPasswordValidityDays;

    const input = toUpdateUserPoolInput(pool, {});

    expect(input.AdminCreateUserConfig?.UnusedAccountValidityDays).toBe(3);
  });

  it('maps every field of the UpdateUserPool request (the list is typed over the SDK’s request)', () => {
    expect(UPDATABLE_FIELDS.length).toBeGreaterThanOrEqual(22);
    expect(UPDATABLE_FIELDS).not.toContain('LambdaConfig');
  });
});

describe('attachTriggers', () => {
  it('on create, adds the four triggers and keeps the pool’s other triggers and settings', async () => {
    await attachTriggers(event('Create'), client);

    expect(cognito).toHaveReceivedCommandWith(UpdateUserPoolCommand, {
      ...toUpdateUserPoolInput(existingPool(), {}),
      LambdaConfig: {
        CustomMessage: appTrigger,
        KMSKeyID: 'arn:aws:kms:eu-west-1:111111111111:key/abc',
        ...triggers,
        PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: fn('group-sync') },
      },
    });
  });

  it('returns a physical id naming the pool', async () => {
    const result = await attachTriggers(event('Create'), client);

    expect(result).toEqual({ PhysicalResourceId: 'eu-west-1_Existing1/migration-triggers' });
  });

  it('refuses to replace another function’s trigger and changes nothing', async () => {
    const pool = existingPool();
    pool.LambdaConfig = { PreSignUp: appTrigger };
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });

    await expect(attachTriggers(event('Create'), client)).rejects.toThrow(TriggerSlotTakenError);
    expect(cognito).not.toHaveReceivedCommand(UpdateUserPoolCommand);
  });

  it('on delete, restores the LambdaConfig the pool had before', async () => {
    const pool = existingPool();
    const before = pool.LambdaConfig;
    pool.LambdaConfig = {
      ...before,
      ...triggers,
      PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: fn('group-sync') },
    };
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });

    await attachTriggers(
      event('Delete', { PhysicalResourceId: 'eu-west-1_Existing1/migration-triggers' }),
      client,
    );

    expect(cognito).toHaveReceivedCommandWith(UpdateUserPoolCommand, {
      ...toUpdateUserPoolInput(existingPool(), {}),
      LambdaConfig: before,
    });
  });

  it('on delete, succeeds when the pool no longer exists', async () => {
    cognito
      .on(DescribeUserPoolCommand)
      .rejects(new ResourceNotFoundException({ message: 'User pool does not exist', $metadata: {} }));

    await expect(attachTriggers(event('Delete', { PhysicalResourceId: 'p' }), client)).resolves.toEqual({
      PhysicalResourceId: 'p',
    });
  });

  it('on update, moves the triggers to the new functions without counting the old ones as taken', async () => {
    const old = { ...triggers, PreSignUp: fn('old-lazy') };
    const pool = existingPool();
    pool.LambdaConfig = { ...pool.LambdaConfig, ...old };
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });

    await attachTriggers(
      event('Update', { OldResourceProperties: { UserPoolId: 'eu-west-1_Existing1', Triggers: old } }),
      client,
    );

    expect(cognito).toHaveReceivedCommandWith(UpdateUserPoolCommand, {
      LambdaConfig: expect.objectContaining({ PreSignUp: fn('lazy-migrate'), CustomMessage: appTrigger }),
    });
  });
});
