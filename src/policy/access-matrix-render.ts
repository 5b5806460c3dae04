import { AccessRow, KeyAccessMatrix, renderAccessMatrix } from './access-matrix';
import { AccessChange } from './access-matrix-diff';
import { Capability, CAPABILITIES } from './kms-actions';
import { textWidth, wrapText } from '../private/wrap-text';

/**
 * The access matrix rendered for people: a fixed-width table for terminals, Markdown for a pull-request comment,
 * JSON for programs; the same for a diff. The matrices stay data until here.
 * @module
 */

/** The formats `guarded-keys matrix` prints. */
export type MatrixFormat = 'table' | 'json' | 'markdown';

/** Renders the matrices of an app. */
export function renderMatrices(matrices: readonly KeyAccessMatrix[], format: MatrixFormat): string {
  if (format === 'json') return JSON.stringify(matrices, undefined, 2);
  if (format === 'table') return matrices.map(renderAccessMatrix).join('\n\n');
  return matrices.map(markdownMatrix).join('\n\n');
}

/** Renders what a change does to access. */
export function renderAccessChanges(changes: readonly AccessChange[], format: MatrixFormat): string {
  if (format === 'json') return JSON.stringify(changes, undefined, 2);
  if (!changes.length) return 'No change of access.';
  const header = ['', 'key', 'principal', 'effect', 'capability', 'conditions', 'source'];
  const rows = changes.map(c => [c.change === 'added' ? '+' : '-', c.key, c.principal, c.effect.toLowerCase(), c.capability, c.conditions.join('; ') || '-', c.source]);
  if (format === 'markdown') return markdownTable(header.map((h, i) => (i === 0 ? 'change' : h)), rows.map(r => [r[0] === '+' ? 'added' : 'removed', ...r.slice(1)]));
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map(r => r[i].length)));
  return [header, ...rows].map(r => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/**
 * Renders a matrix as a fixed-width table no wider than `width`: the full table when it fits; otherwise the
 * principal, effect and capability columns stay a table, and each row's source and conditions follow it on indented
 * lines, wrapped (a strict key's deny conditions name whole role ARNs, which no column could hold).
 */
export function renderAccessMatrixWithin(matrix: KeyAccessMatrix, width: number): string {
  const full = renderAccessMatrix(matrix);
  if (full.split('\n').every(line => textWidth(line) <= width)) return full;
  const [title] = full.split('\n');
  const used = CAPABILITIES.filter(c => matrix.rows.some(r => r.capabilities.includes(c)));
  const table = [
    ['principal', 'effect', ...used],
    ...matrix.rows.map(r => [r.principal, r.effect.toLowerCase(), ...used.map(c => capabilityCell(r, c))]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map(row => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  // Only a width narrower than the principal and capability columns wraps the table rows themselves.
  const lines = [title, line(table[0]), widths.map(w => '-'.repeat(w)).join('  ')].flatMap(l => wrapText(l, width, '  '));
  matrix.rows.forEach((row, i) => {
    lines.push(...wrapText(line(table[i + 1]), width, '  '));
    const because = row.conditions.length ? `${row.source}: ${row.conditions.join('; ')}` : row.source;
    lines.push(...wrapText(`    ${because}`, width, '      '));
  });
  return lines.join('\n');
}

function capabilityCell(row: AccessRow, capability: Capability): string {
  if (!row.capabilities.includes(capability)) return '-';
  return row.effect === 'Allow' ? 'yes' : 'DENY';
}

function markdownMatrix(matrix: KeyAccessMatrix): string {
  const title = `### ${matrix.stack}/${matrix.logicalId}${matrix.aliases.length ? ` (${matrix.aliases.join(', ')})` : ''} — ${matrix.keySpec} ${matrix.keyUsage}`;
  const used = CAPABILITIES.filter(c => matrix.rows.some(r => r.capabilities.includes(c)));
  const rows = matrix.rows.map(r => [
    r.principal, r.effect.toLowerCase(),
    ...used.map(c => (r.capabilities.includes(c) ? (r.effect === 'Allow' ? '✅' : '⛔') : '')),
    r.conditions.join('; ') || '-', r.source,
  ]);
  return `${title}\n\n${markdownTable(['principal', 'effect', ...used, 'conditions', 'source'], rows)}`;
}

function markdownTable(header: string[], rows: string[][]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [header, header.map(() => '---'), ...rows].map(r => `| ${r.map(cell).join(' | ')} |`).join('\n');
}
