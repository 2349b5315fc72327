import { invalidParameter } from '../errors';
import type { Operation } from '../context';
import type { PoolRecord } from '../types';

const MODES = ['OFF', 'ON', 'OPTIONAL'];

/**
 * The pool's MFA settings as GetUserPoolMfaConfig answers them. SMS MFA is listed when the pool
 * can send SMS (it has an SmsConfiguration) and MFA is not OFF _(unverified against AWS)_.
 */
function mfaConfig(pool: PoolRecord): object {
  const { MfaConfiguration, SmsConfiguration, Stored } = pool.settings;
  return {
    MfaConfiguration,
    ...(SmsConfiguration && MfaConfiguration !== 'OFF'
      ? {
          SmsMfaConfiguration: {
            ...(Stored?.SmsAuthenticationMessage !== undefined
              ? { SmsAuthenticationMessage: Stored.SmsAuthenticationMessage }
              : {}),
            SmsConfiguration,
          },
        }
      : {}),
    ...(pool.softwareTokenMfa !== undefined
      ? { SoftwareTokenMfaConfiguration: { Enabled: pool.softwareTokenMfa } }
      : {}),
  };
}

const GetUserPoolMfaConfig: Operation = (input, ctx) => mfaConfig(ctx.store.pool(input.UserPoolId));

/**
 * SetUserPoolMfaConfig: the SMS settings it carries are the pool's SmsConfiguration and
 * SmsAuthenticationMessage (the fields DescribeUserPool shows); TOTP is switched on or off; turning
 * MFA ON or OPTIONAL needs a factor in the same call, as AWS (and moto) refuse it otherwise.
 */
const SetUserPoolMfaConfig: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const mode = input.MfaConfiguration ?? pool.settings.MfaConfiguration;
  if (!MODES.includes(mode)) throw invalidParameter('MfaConfiguration must be OFF, ON or OPTIONAL.');
  const sms = input.SmsMfaConfiguration as
    { SmsAuthenticationMessage?: string; SmsConfiguration?: Record<string, unknown> } | undefined;
  const totp = input.SoftwareTokenMfaConfiguration as { Enabled?: boolean } | undefined;
  if (mode !== 'OFF' && sms === undefined && totp === undefined)
    throw invalidParameter(
      'At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided.',
    );
  const message = sms?.SmsAuthenticationMessage;
  if (message !== undefined && (!message.includes('{####}') || message.length < 6 || message.length > 140))
    throw invalidParameter('SmsAuthenticationMessage must contain {####} and be 6 to 140 characters.');
  pool.settings = {
    ...pool.settings,
    MfaConfiguration: mode as PoolRecord['settings']['MfaConfiguration'],
    ...(sms?.SmsConfiguration ? { SmsConfiguration: sms.SmsConfiguration } : {}),
    ...(message !== undefined
      ? { Stored: { ...pool.settings.Stored, SmsAuthenticationMessage: message } }
      : {}),
  };
  if (totp !== undefined) pool.softwareTokenMfa = totp.Enabled === true;
  pool.modified = ctx.now();
  return mfaConfig(pool);
};

export const mfaConfigOperations: Record<string, Operation> = { GetUserPoolMfaConfig, SetUserPoolMfaConfig };
