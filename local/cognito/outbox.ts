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
  private nextId = 1;

  constructor(private readonly now: () => number) {}

  record(message: Omit<OutboxMessage, 'id' | 'at'>): OutboxMessage {
    const stored = { ...message, id: this.nextId++, at: this.now() };
    this.messages.push(stored);
    return stored;
  }

  /** Messages in the order sent; usernames compare case-insensitively. */
  list(filter: OutboxFilter = {}): OutboxMessage[] {
    const username = filter.username?.toLowerCase();
    return this.messages.filter(
      (m) =>
        (filter.userPoolId === undefined || m.userPoolId === filter.userPoolId) &&
        (username === undefined || m.username.toLowerCase() === username),
    );
  }

  /** The code of the most recent message to the user (of that kind, when given). */
  latestCode(userPoolId: string, username: string, kind?: OutboxKind): string | undefined {
    const found = this.list({ userPoolId, username }).filter((m) => m.code && (!kind || m.kind === kind));
    return found[found.length - 1]?.code;
  }

  clear(): void {
    this.messages.length = 0;
  }
}
