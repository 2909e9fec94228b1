/**
 * The watch loop's sleep (run.ts `alarm`): a subscription's wake cuts it short, and a wake that comes while the loop
 * is busy (between two sleeps) is kept, so the block it announced is read at once instead of one poll later.
 */
import { describe, expect, it } from 'vitest';
import { alarm } from './run.js';

/** How long `sleep(ms)` took, in ms. */
async function timed(sleep: Promise<void>): Promise<number> {
  const t = performance.now();
  await sleep;
  return performance.now() - t;
}

describe('alarm', () => {
  it('sleeps the full time when nothing wakes it', async () => {
    expect(await timed(alarm().sleep(40))).toBeGreaterThanOrEqual(35);
  });

  it('a wake during the sleep ends it at once', async () => {
    const clock = alarm();
    setTimeout(clock.wake, 5);
    expect(await timed(clock.sleep(5_000))).toBeLessThan(1_000);
  });

  it('a wake while the loop is busy makes the next sleep return at once, once', async () => {
    const clock = alarm();
    clock.wake(); // the loop is not sleeping: a block arrived mid-pass
    expect(await timed(clock.sleep(5_000))).toBeLessThan(1_000);
    expect(await timed(clock.sleep(40))).toBeGreaterThanOrEqual(35); // the wake was used up
  });

  it('a back-off (rest) is not cut short by wake-ups, only by an abort', async () => {
    const controller = new AbortController();
    const clock = alarm(controller.signal);
    const waking = setInterval(clock.wake, 2);
    try {
      expect(await timed(clock.rest(60))).toBeGreaterThanOrEqual(55);
      setTimeout(() => controller.abort(), 5);
      expect(await timed(clock.rest(5_000))).toBeLessThan(1_000);
    } finally {
      clearInterval(waking);
    }
  });

  it('an abort ends the sleep and every later one', async () => {
    const controller = new AbortController();
    const clock = alarm(controller.signal);
    setTimeout(() => controller.abort(), 5);
    expect(await timed(clock.sleep(5_000))).toBeLessThan(1_000);
    expect(await timed(clock.sleep(5_000))).toBeLessThan(1_000);
  });
});
