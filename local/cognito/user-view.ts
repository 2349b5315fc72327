import { seconds } from './context';
import { toAttributeList } from './schema';
import type { UserRecord } from './types';

/** The `UserType` shape of AdminCreateUser and ListUsers. */
export function userType(user: UserRecord, attributesToGet?: readonly string[]): object {
  return {
    Username: user.username,
    Attributes: toAttributeList(user.attributes, attributesToGet),
    UserCreateDate: seconds(user.created),
    UserLastModifiedDate: seconds(user.modified),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

export function mfaSettingList(user: UserRecord): string[] {
  return [...(user.mfa.sms ? ['SMS_MFA'] : []), ...(user.mfa.totp ? ['SOFTWARE_TOKEN_MFA'] : [])];
}

/** The AdminGetUser / GetUser MFA fields. */
export function mfaView(user: UserRecord): object {
  const list = mfaSettingList(user);
  return {
    ...(list.length ? { UserMFASettingList: list } : {}),
    ...(user.mfa.preferred ? { PreferredMfaSetting: user.mfa.preferred } : {}),
    ...(user.mfa.sms ? { MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] } : {}),
  };
}
