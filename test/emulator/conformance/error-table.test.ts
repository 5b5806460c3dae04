import { readdirSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

/**
 * docs/emulator.md keeps a table of every error message the emulator can produce: this test reads each
 * `new KmsError('<code>', <message>)` in src/emulator and fails when the table lacks its message under that code,
 * and, the other way, fails when a message the table marks as the emulator's own is no longer in src/emulator (so
 * the table cannot keep messages the emulator stopped producing). Placeholders in the source (`${...}`) match any
 * `<…>` in the table.
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

/** Whether a documented message (with `<…>` placeholders) and a source message (with `${…}`) are the same message. */
function sameMessage(documented: string, source: string): boolean {
  const sourcePattern = new RegExp(`^${source.split(/\$\{[^}]*\}/).map(escape).join('.+?')}$`);
  const sample = source.replace(/\$\{[^}]*\}/g, 'X');
  return sourcePattern.test(documented) || new RegExp(`^${documented.split(/<[^>]*>/).map(escape).join('.+')}$`).test(sample);
}

/** The table's rows: exception, the backticked messages of the message column, and the wording column. */
function tableRows(): Array<{ code: string; messages: string[]; wording: string }> {
  return DOC.split('\n')
    .filter(line => /^\| [A-Za-z]+(Exception|Error) \| /.test(line))
    .map(line => {
      const cells = line.split(' | ');
      const code = cells[0].slice(2);
      const documented = cells[1].split('`').filter((_cell, i) => i % 2 === 1);
      return { code, messages: documented, wording: cells[cells.length - 1].replace(/ \|$/, '').trim() };
    });
}

describe('docs/emulator.md lists every error message', () => {
  const all = messages();
  const rows = tableRows();

  test('the scan finds the messages (it cannot pass by finding none)', () => {
    expect(all.length).toBeGreaterThan(60);
    expect(all).toContainEqual(['operations/create-key.ts', 'ValidationException', 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.']);
    expect(rows.filter(row => row.wording === 'emulator').length).toBeGreaterThan(40);
  });

  test.each(all.filter(([, , message]) => message !== ''))('%s: %s %p', (_, code, message) => {
    const documented = rows.filter(row => row.code === code).flatMap(row => row.messages);
    expect(documented.some(doc => sameMessage(doc, message))).toBe(true);
  });

  // The table's own messages, the other way: each one it marks as the emulator's wording must still be produced.
  const emulatorMessages = rows.filter(row => row.wording === 'emulator').flatMap(row => row.messages.map(message => [row.code, message] as const));
  test.each(emulatorMessages)('the table\'s %s %p is still in src/emulator', (code, documented) => {
    expect(all.some(([, sourceCode, message]) => sourceCode === code && sameMessage(documented, message))).toBe(true);
  });
});
