import * as fc from 'fast-check';
import { wrapLines, wrapText } from '../../src/private/wrap-text';

describe('wrapText', () => {
  test('breaks at spaces, continuation lines under the indent', () => {
    expect(wrapText('aaaa bbbb cccc', 9, '  ')).toEqual(['aaaa bbbb', '  cccc']);
  });

  test('a word wider than the line breaks after its last separator that fits', () => {
    expect(wrapText('role arn:aws:iam::111122223333:role/deployer', 24)).toEqual(['role', 'arn:aws:iam::', '111122223333:role/', 'deployer']);
  });

  test('a word with no separator breaks at the width', () => {
    expect(wrapText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  test('an exact fit is not wrapped', () => {
    expect(wrapText('abc defg', 8)).toEqual(['abc defg']);
  });

  test('an indent that leaves no room for the widest character is refused', () => {
    expect(() => wrapText('abc', 4, '    ')).toThrow(RangeError);
    expect(() => wrapText('a:——a', 8, '      ')).toThrow(/must leave room for one character/);
    expect(wrapText('a:——a', 8, '    ')).toEqual(['a:', '    —', '    —a']);
  });

  test('any text: no line wider than asked, and no character but spaces lost or added', () => {
    const text = fc.array(fc.constantFrom('a', 'b', ' ', ':', '/', '-', '—'), { maxLength: 300 }).map(cs => cs.join(''));
    fc.assert(fc.property(text, fc.integer({ min: 8, max: 60 }), fc.nat(6), (t, width, indent) => {
      // (an indent leaving less than 4 bytes is refused, above)
      const lines = wrapText(t, width, ' '.repeat(Math.min(indent, width - 4)));
      for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(width);
      expect(lines.join('').replace(/ /g, '')).toBe(t.replace(/ /g, ''));
    }), { numRuns: 300 });
  });
});

describe('wrapLines', () => {
  test('keeps short lines and hangs a wrapped line under its own indentation', () => {
    expect(wrapLines('short\n  one two three four', 12)).toBe('short\n  one two\n      three\n      four');
  });
});

test('widths count UTF-8 bytes, so a byte-counting awk and a terminal agree the line fits', () => {
  expect(wrapText('key — matrix', 10)).toEqual(['key —', 'matrix']);
});
