import { describe, expect, it } from 'vitest';
import { passedIf, stageRecorder } from './stages.js';

describe('stageRecorder', () => {
  it('records timed stages in order, with the status the result gives', async () => {
    const rec = stageRecorder();
    expect(await rec.time('a', async () => 1)).toBe(1);
    await rec.time('b', async () => false, passedIf);
    expect(rec.stages.map((s) => [s.name, s.status])).toEqual([
      ['a', 'passed'],
      ['b', 'failed'],
    ]);
    expect(rec.stages.every((s) => Number.isInteger(s.durationMs) && s.durationMs >= 0)).toBe(true);
  });

  it('does not record a stage that throws', async () => {
    const rec = stageRecorder();
    await expect(
      rec.time('x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(rec.stages).toEqual([]);
  });

  it('laps measure from the previous record', async () => {
    const rec = stageRecorder();
    await new Promise((r) => setTimeout(r, 20));
    const first = rec.lap('first', 'passed');
    const second = rec.lap('second', 'skipped');
    expect(first.durationMs).toBeGreaterThanOrEqual(15);
    expect(second.durationMs).toBeLessThan(first.durationMs);
    expect(rec.stages).toEqual([first, second]);
  });
});
