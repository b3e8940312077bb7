import { describe, expect, it } from 'vitest';
import { llamaKeys } from '../../../src/ui/dashboard/chart-specs';
import { MAX_SLOTS } from '../../../src/lib/limits';

describe('llama charts', () => {
  it('asks for at most MAX_SLOTS slots whatever slot count is stored (a total_slots of 1e9 froze the page)', () => {
    const keys = llamaKeys(1e9);
    const slots = new Set(keys.filter((k) => k.includes('slot="')).map((k) => /slot="(\d+)"/.exec(k)![1]));
    expect(slots.size).toBe(MAX_SLOTS);
    expect(llamaKeys(2).filter((k) => k.includes('slot="1"')).length).toBeGreaterThan(0);
  });
});
