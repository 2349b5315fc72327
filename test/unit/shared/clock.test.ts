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

  it('moves only on advance when sleeps may not jump time', async () => {
    const clock = new ManualClock(0, { jumpOnSleep: false });
    let woke = false;
    const sleeping = clock.sleep(100).then(() => {
      woke = true;
    });

    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    expect(clock.now()).toBe(0);

    clock.advance(100);
    await sleeping;
    expect(woke).toBe(true);
  });
});
