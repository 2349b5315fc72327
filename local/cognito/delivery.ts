import { invalidParameter } from './errors';
import type { OpContext } from './context';
import type { OutboxKind, PoolRecord, UserRecord } from './types';

export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: 'EMAIL' | 'SMS';
  AttributeName: string;
}

/** How AWS masks a destination in CodeDeliveryDetails: `j***@e***` and `+*******1234`. */
export function mask(medium: 'EMAIL' | 'SMS', destination: string): string {
  if (medium === 'SMS') return `+${'*'.repeat(Math.max(0, destination.length - 5))}${destination.slice(-4)}`;
  const [local = '', domain = ''] = destination.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}

/** Records a message in the outbox and returns the CodeDeliveryDetails AWS would return. */
export function deliver(
  ctx: OpContext,
  pool: PoolRecord,
  user: UserRecord,
  kind: OutboxKind,
  medium: 'EMAIL' | 'SMS',
  extra: { code?: string; temporaryPassword?: string },
): CodeDeliveryDetails {
  const attr = medium === 'EMAIL' ? 'email' : 'phone_number';
  const destination = user.attributes[attr] ?? '';
  ctx.outbox.record({ userPoolId: pool.id, username: user.username, kind, medium, destination, ...extra });
  return { Destination: mask(medium, destination), DeliveryMedium: medium, AttributeName: attr };
}

/**
 * Where account-recovery codes go: the first verified address in the pool's
 * AccountRecoverySetting order. Throws as AWS does when the user has none.
 */
export function recoveryMedium(pool: PoolRecord, user: UserRecord): 'EMAIL' | 'SMS' {
  const mechanisms = [...pool.settings.AccountRecoverySetting.RecoveryMechanisms].sort(
    (a, b) => a.Priority - b.Priority,
  );
  for (const { Name } of mechanisms) {
    if (Name === 'verified_email' && user.attributes.email && user.attributes.email_verified === 'true')
      return 'EMAIL';
    if (
      Name === 'verified_phone_number' &&
      user.attributes.phone_number &&
      user.attributes.phone_number_verified === 'true'
    )
      return 'SMS';
  }
  throw invalidParameter(
    'Cannot reset password for the user as there is no registered/verified email or phone_number',
  );
}
