import { decodeCursor, encodeCursor } from '#shared/table/pagination';

describe('table cursors', () => {
  it('round-trips a LastEvaluatedKey through a URL-safe string', () => {
    const key = { pk: 'USER#a/b+c?', sk: 'USER', statusKey: 'PENDING#f' };
    const cursor = encodeCursor({ shard: 3, startKey: key });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ shard: 3, startKey: key });
  });
});
