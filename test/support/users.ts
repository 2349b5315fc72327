import { randomUUID } from 'node:crypto';
import type { SourceUserSnapshot } from '#shared/table/users';

/** A source user snapshot with sensible defaults. */
export const aSourceUser = (overrides: Partial<SourceUserSnapshot> = {}): SourceUserSnapshot => {
  const sub = overrides.sub ?? randomUUID();
  const username = overrides.username ?? `user-${sub.slice(0, 8)}`;
  return {
    username,
    sub,
    attributes: { sub, email: `${username}@example.com`, email_verified: 'true', ...overrides.attributes },
    userStatus: 'CONFIRMED',
    enabled: true,
    createdAt: '2024-01-01T00:00:00.000Z',
    modifiedAt: '2024-01-02T00:00:00.000Z',
    ...overrides,
  };
};
