import type { OutboxKind, OutboxMessage } from './types';

export interface OutboxFilter {
  userPoolId?: string;
  username?: string;
}

/**
 * Every message Cognito would have sent (invitations, codes, MFA codes), so tests and the demo
 * can read the codes a real user would receive.
 */
export class Outbox {
  private readonly messages: OutboxMessage[] = [];
  /**
   * The same messages by pool and lower-cased username: the demo reads one user's latest code for
   * each of thousands of users, and a scan of the whole outbox per read made that quadratic.
   */
  private readonly byUser = new Map<string, OutboxMessage[]>();
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  record(message: Omit<OutboxMessage, 'id' | 'at'>): OutboxMessage {
    const stored = { ...message, id: this.nextId++, at: this.now() };
    this.messages.push(stored);
    const key = userKey(stored.userPoolId, stored.username);
    const mine = this.byUser.get(key);
    if (mine) mine.push(stored);
    else this.byUser.set(key, [stored]);
    return stored;
  }

  /** Messages in the order sent; usernames compare case-insensitively. */
  list(filter: OutboxFilter = {}): OutboxMessage[] {
    const username = filter.username?.toLowerCase();
    if (filter.userPoolId !== undefined && username !== undefined)
      return [...(this.byUser.get(userKey(filter.userPoolId, username)) ?? [])];
    return this.messages.filter(
      (m) =>
        (filter.userPoolId === undefined || m.userPoolId === filter.userPoolId) &&
        (username === undefined || m.username.toLowerCase() === username),
    );
  }

  /** The code of the most recent message to the user (of that kind, when given). */
  latestCode(userPoolId: string, username: string, kind?: OutboxKind): string | undefined {
    const mine = this.byUser.get(userKey(userPoolId, username)) ?? [];
    for (let i = mine.length - 1; i >= 0; i -= 1) {
      const m = mine[i]!;
      if (m.code && (!kind || m.kind === kind)) return m.code;
    }
    return undefined;
  }

  clear(): void {
    this.messages.length = 0;
    this.byUser.clear();
  }
}

const userKey = (userPoolId: string, username: string) => `${userPoolId}\n${username.toLowerCase()}`;
