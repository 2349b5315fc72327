import { migrationsWithin } from '../../../cli/commands/status';

describe('migrationsWithin', () => {
  const now = Date.UTC(2026, 5, 1, 12, 30);

  it('counts the current hour whole and prorates the partly covered previous hour', () => {
    const buckets = [
      { hour: '2026060111', migrated: 100 },
      { hour: '2026060112', migrated: 40 },
    ];
    expect(migrationsWithin(buckets, now, 3_600_000)).toBe(40 + 50);
  });

  it('ignores buckets older than the span', () => {
    expect(migrationsWithin([{ hour: '2026053112', migrated: 7 }], now, 3_600_000)).toBe(0);
  });
});
