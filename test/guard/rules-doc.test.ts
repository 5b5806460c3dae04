import { readFileSync } from 'fs';
import { join } from 'path';
import { GUARD_RULES } from '../../src/guard/catalogue';

describe('docs/guard-rules.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'guard-rules.md'), 'utf8');

  test.each(GUARD_RULES.map(r => [r.id, r]))('documents %s with its severity and AWS source', (id, rule) => {
    const section = doc.split(/\n### /).find(s => s.startsWith(`${id} `));
    expect(section).toBeDefined();
    expect(section).toContain(`(${rule.defaultSeverity}`);
    expect(section).toContain(rule.source.split('#')[0]);
  });
});
