import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

/**
 * docs/emulator.md keeps a table of every error message the emulator can produce: this test reads each
 * `new KmsError('<code>', <message>)` in src/emulator and fails when the table lacks its message under that code.
 * Placeholders in the source (`${...}`) match any `<…>` in the table.
 */
const SRC = join(__dirname, '../../../src/emulator');
const DOC = readFileSync(join(__dirname, '../../../docs/emulator.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const LITERAL = String.raw`(\x60(?:[^\x60\\]|\\.)*\x60|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Z_]+)`;
const THROW = new RegExp(String.raw`new KmsError\(\s*'(\w+)',\s*` + LITERAL, 'g');

/** Every (code, message) the source constructs, a constant resolved within its file. */
function messages(): Array<[file: string, code: string, message: string]> {
  const found: Array<[string, string, string]> = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const [, code, literal] of text.matchAll(THROW)) {
      let message = literal;
      if (/^[A-Z_]+$/.test(literal)) {
        const constant = new RegExp(String.raw`const ${literal} = ` + LITERAL).exec(text);
        if (!constant) continue;
        message = constant[1];
      }
      found.push([file.slice(SRC.length + 1), code, message.slice(1, -1).replace(/\\(.)/g, '$1')]);
    }
  }
  return found;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The table rows of one exception. */
function rowsOf(code: string): string[] {
  return DOC.split('\n').filter(line => line.startsWith(`| ${code} |`));
}

describe('docs/emulator.md lists every error message', () => {
  const all = messages();

  test('the scan finds the messages (it cannot pass by finding none)', () => {
    expect(all.length).toBeGreaterThan(60);
    expect(all).toContainEqual(['operations/create-key.ts', 'ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.']);
  });

  test.each(all.filter(([, , message]) => message !== ''))('%s: %s %p', (_, code, message) => {
    // The source's placeholders stand for anything, and so do the table's `<…>`: either may be the general one.
    const sourcePattern = new RegExp(message.split(/\$\{[^}]*\}/).map(escape).join('.+?'));
    const sample = message.replace(/\$\{[^}]*\}/g, 'X');
    const documented = rowsOf(code).flatMap(row => row.split('`').filter((_cell, i) => i % 2 === 1));
    expect(documented.some(doc => sourcePattern.test(doc) || new RegExp(`^${doc.split(/<[^>]*>/).map(escape).join('.+')}$`).test(sample))).toBe(true);
  });
});
