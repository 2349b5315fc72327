import type {
  LambdaConfigType,
  UpdateUserPoolCommandInput,
  UserPoolType,
  VerificationMessageTemplateType,
} from '@aws-sdk/client-cognito-identity-provider';

type UpdatableField = Exclude<keyof UpdateUserPoolCommandInput, 'UserPoolId' | 'LambdaConfig'>;

/**
 * Where each UpdateUserPool field comes from in DescribeUserPool's `UserPool`. UpdateUserPool
 * resets every setting it is not given to its default (API reference, UpdateUserPool: "If you
 * don't provide a value for an attribute, Amazon Cognito sets it to its default value"), so
 * this table is typed over every key of the request: a new SDK field fails the type check
 * until someone decides here how to carry it over.
 */
const FIELDS: { [K in UpdatableField]-?: (pool: UserPoolType) => UpdateUserPoolCommandInput[K] } = {
  Policies: (pool) => pool.Policies,
  DeletionProtection: (pool) => pool.DeletionProtection,
  AutoVerifiedAttributes: (pool) => pool.AutoVerifiedAttributes,
  // "This parameter is no longer used": VerificationMessageTemplate carries these messages, and
  // sending both forms can conflict with the template's DefaultEmailOption.
  SmsVerificationMessage: () => undefined,
  EmailVerificationMessage: () => undefined,
  EmailVerificationSubject: () => undefined,
  VerificationMessageTemplate: (pool) => verificationTemplate(pool.VerificationMessageTemplate),
  SmsAuthenticationMessage: (pool) => pool.SmsAuthenticationMessage,
  UserAttributeUpdateSettings: (pool) => pool.UserAttributeUpdateSettings,
  MfaConfiguration: (pool) => pool.MfaConfiguration,
  DeviceConfiguration: (pool) => pool.DeviceConfiguration,
  EmailConfiguration: (pool) => pool.EmailConfiguration,
  SmsConfiguration: (pool) => pool.SmsConfiguration,
  UserPoolTags: (pool) => pool.UserPoolTags,
  AdminCreateUserConfig: (pool) => adminCreateUserConfig(pool),
  UserPoolAddOns: (pool) => pool.UserPoolAddOns,
  DcrConfiguration: (pool) => pool.DcrConfiguration,
  AccountRecoverySetting: (pool) => pool.AccountRecoverySetting,
  PoolName: (pool) => pool.Name,
  UserPoolTier: (pool) => pool.UserPoolTier,
  KeyConfiguration: (pool) => pool.KeyConfiguration,
  IssuerConfiguration: (pool) => pool.IssuerConfiguration,
  AcrConfiguration: (pool) => pool.AcrConfiguration,
};

/** The UpdateUserPool fields this module fills, for the tests. */
export const UPDATABLE_FIELDS = Object.keys(FIELDS) as UpdatableField[];

/**
 * DescribeUserPool returns the email message for both DefaultEmailOption choices, but
 * UpdateUserPool rejects a template that sets both: keep only the pair the option uses.
 */
const verificationTemplate = (
  template: VerificationMessageTemplateType | undefined,
): VerificationMessageTemplateType | undefined => {
  if (!template) return undefined;
  const { EmailMessage, EmailSubject, EmailMessageByLink, EmailSubjectByLink, ...rest } = template;
  return template.DefaultEmailOption === 'CONFIRM_WITH_LINK'
    ? { ...rest, EmailMessageByLink, EmailSubjectByLink }
    : { ...rest, EmailMessage, EmailSubject };
};

/**
 * UnusedAccountValidityDays is deprecated and mirrors the password policy's
 * TemporaryPasswordValidityDays; Cognito rejects a request that sets both.
 */
const adminCreateUserConfig = (pool: UserPoolType): UpdateUserPoolCommandInput['AdminCreateUserConfig'] => {
  if (!pool.AdminCreateUserConfig) return undefined;
  const { UnusedAccountValidityDays, ...rest } = pool.AdminCreateUserConfig;
  return pool.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays !== undefined
    ? rest
    : { ...rest, UnusedAccountValidityDays };
};

/**
 * The UpdateUserPool request that leaves every setting of `pool` as it is and sets only its
 * LambdaConfig. Settings UpdateUserPool cannot change (schema, sign-in attributes, case
 * sensitivity) are not part of the request and are not affected by it.
 */
export const toUpdateUserPoolInput = (
  pool: UserPoolType,
  lambdaConfig: LambdaConfigType,
): UpdateUserPoolCommandInput => {
  if (!pool.Id) throw new Error('DescribeUserPool returned a pool without an Id');
  const input: UpdateUserPoolCommandInput = { UserPoolId: pool.Id, LambdaConfig: lambdaConfig };
  for (const field of UPDATABLE_FIELDS) {
    const value = FIELDS[field](pool);
    if (value !== undefined) (input as unknown as Record<string, unknown>)[field] = value;
  }
  return input;
};
