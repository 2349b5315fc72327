import { ManualClock } from '#shared/clock';

describe('ManualClock', () => {
  it('wakes concurrent sleepers in time order without real waiting', async () => {
    const clock = new ManualClock(0);
    const woke: [string, number][] = [];

    await Promise.all([
      clock.sleep(300).then(() => woke.push(['slow', clock.now()])),
      clock.sleep(100).then(() => woke.push(['fast', clock.now()])),
    ]);

    expect(woke).toEqual([
      ['fast', 100],
      ['slow', 300],
    ]);
  });
});
