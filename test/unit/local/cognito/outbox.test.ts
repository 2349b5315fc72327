import { Outbox } from '#local/cognito/outbox';

const message = (
  userPoolId: string,
  username: string,
  kind: 'reset' | 'mfa' | 'invitation',
  code?: string,
) => ({
  userPoolId,
  username,
  kind,
  medium: 'EMAIL' as const,
  destination: `${username}@example.com`,
  ...(code ? { code } : {}),
});

describe('Outbox', () => {
  it('answers the latest code of a kind for a user, whatever the case of the name asked', () => {
    const outbox = new Outbox(() => 0);
    outbox.record(message('pool-a', 'Alice', 'reset', '111111'));
    outbox.record(message('pool-a', 'alice', 'mfa', '222222'));
    outbox.record(message('pool-a', 'ALICE', 'reset', '333333'));

    expect(outbox.latestCode('pool-a', 'aLiCe', 'reset')).toBe('333333');
    expect(outbox.latestCode('pool-a', 'alice', 'mfa')).toBe('222222');
    expect(outbox.latestCode('pool-a', 'Alice')).toBe('333333');
  });

  it('keeps pools and users apart, and skips messages without a code', () => {
    const outbox = new Outbox(() => 0);
    outbox.record(message('pool-a', 'bob', 'reset', '444444'));
    outbox.record(message('pool-b', 'bob', 'invitation'));

    expect(outbox.latestCode('pool-b', 'bob')).toBeUndefined();
    expect(outbox.latestCode('pool-a', 'carol')).toBeUndefined();
    expect(outbox.latestCode('pool-a', 'bob', 'reset')).toBe('444444');
  });

  it('lists one user in the order sent, the same messages a scan of the pool finds', () => {
    let now = 0;
    const outbox = new Outbox(() => (now += 1));
    for (const name of ['dave', 'Erin', 'DAVE', 'erin', 'Dave'])
      outbox.record(message('pool-a', name, 'reset', `${now}`));

    const dave = outbox.list({ userPoolId: 'pool-a', username: 'dave' });

    expect(dave.map((m) => m.username)).toEqual(['dave', 'DAVE', 'Dave']);
    expect(dave).toEqual(
      outbox.list({ userPoolId: 'pool-a' }).filter((m) => m.username.toLowerCase() === 'dave'),
    );
  });

  it('forgets everything on clear', () => {
    const outbox = new Outbox(() => 0);
    outbox.record(message('pool-a', 'frank', 'reset', '555555'));

    outbox.clear();

    expect(outbox.list()).toEqual([]);
    expect(outbox.latestCode('pool-a', 'frank')).toBeUndefined();
  });
});
