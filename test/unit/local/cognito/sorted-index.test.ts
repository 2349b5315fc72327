import { SortedIndex } from '#local/cognito/sorted-index';

describe('SortedIndex', () => {
  it('keeps thousands of random keys in order across chunk splits', () => {
    const index = new SortedIndex();
    const keys = Array.from(
      { length: 5000 },
      (_, i) => `k${((i * 7919) % 5000).toString().padStart(5, '0')}`,
    );
    for (const key of keys) index.add(key);
    expect([...index.from()]).toEqual([...keys].sort());
  });

  it('reads from a position, inclusive or after it', () => {
    const index = new SortedIndex();
    for (const key of ['a', 'b', 'c', 'd']) index.add(key);
    expect([...index.from('b')]).toEqual(['b', 'c', 'd']);
    expect([...index.from('b', true)]).toEqual(['c', 'd']);
  });

  it('deletes keys and ignores duplicates', () => {
    const index = new SortedIndex();
    for (const key of ['x', 'y', 'y', 'z']) index.add(key);
    index.delete('y');
    expect([...index.from()]).toEqual(['x', 'z']);
    expect(index.size).toBe(2);
  });
});
