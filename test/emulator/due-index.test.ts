import * as fc from 'fast-check';
import { DueIndex } from '../../src/emulator/due-index';

describe('DueIndex', () => {
  test('takes exactly the slots whose latest due time has come, earliest first (against a plain map)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), slot: fc.integer({ min: 0, max: 20 }), time: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }) }),
      fc.record({ kind: fc.constant('take' as const), now: fc.integer({ min: 0, max: 100 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), ops => {
      const index = new DueIndex();
      const model = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          index.set(String(o.slot), o.time);
          if (o.time === undefined) model.delete(String(o.slot));
          else model.set(String(o.slot), o.time);
        } else {
          const taken = index.takeDue(o.now);
          const expected = [...model].filter(([, t]) => t <= o.now);
          expect([...taken].sort()).toEqual(expected.map(([s]) => s).sort());
          // earliest first
          const times = taken.map(s => model.get(s)!);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expected.forEach(([s]) => model.delete(s));
        }
        // stale entries are bounded: at most twice the live ones (beyond a small floor)
        expect(index.size).toBeLessThanOrEqual(Math.max(65, 2 * model.size + 1));
      }
    }), { numRuns: 300 });
  });
});
