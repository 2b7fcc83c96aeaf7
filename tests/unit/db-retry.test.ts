import { describe, expect, it } from 'vitest';
import { DbError, retryTransient } from '../../server/db/port.ts';

describe('retryTransient', () => {
  it('tries again after a deadlock or serialization failure, then returns the answer', async () => {
    const codes = ['40P01', '40001'];
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      if (calls <= codes.length) throw new DbError('deadlock detected', codes[calls - 1]);
      return 'booked';
    });
    expect(result).toBe('booked');
    expect(calls).toBe(3);
  });

  it('passes other errors through at once (a slot taken is an answer, not a glitch)', async () => {
    let calls = 0;
    const error = await retryTransient(async () => {
      calls++;
      throw new DbError('slot_taken', 'SL409');
    }).catch((e) => e);
    expect(error.code).toBe('SL409');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    const error = await retryTransient(async () => {
      calls++;
      throw new DbError('deadlock detected', '40P01');
    }, 3).catch((e) => e);
    expect(error.code).toBe('40P01');
    expect(calls).toBe(3);
  });
});
