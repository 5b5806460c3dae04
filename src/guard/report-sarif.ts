import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { relative, sep } from 'path';
import { GUARD_RULES } from './catalogue';
import { GuardFinding, GuardReport } from './engine';

/**
 * The report as SARIF 2.1.0, the format GitHub code scanning reads (`github/codeql-action/upload-sarif`), so a pull
 * request shows each finding on the template line it is about. Suppressed findings are included with their
 * reason as an external suppression, as SARIF has it, so they show as dismissed rather than vanish.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * @see https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 * @module
 */

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** Renders a report as a SARIF log; file URIs are relative to `baseDir` (the repository root in CI). */
export function renderReportSarif(report: GuardReport, baseDir = process.cwd()): string {
  const lines = new LineFinder();
  const result = (f: GuardFinding, reason?: string) => ({
    ruleId: f.rule,
    ruleIndex: GUARD_RULES.findIndex(r => r.id === f.rule),
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: relative(baseDir, f.file).split(sep).join('/') },
        region: { startLine: lines.lineOf(f.file, f.pointer) },
      },
      logicalLocations: [{ fullyQualifiedName: `${f.stack}/${f.logicalId}`, kind: 'resource' }],
    }],
    // Stable across runs and line moves, so code scanning tracks one alert per resource and problem.
    partialFingerprints: { 'guardedKeysFinding/v1': createHash('sha256').update(`${f.rule}|${f.stack}|${f.logicalId}|${f.message}`).digest('hex') },
    ...(reason !== undefined ? { suppressions: [{ kind: 'external', status: 'accepted', justification: reason }] } : {}),
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'guarded-keys',
          informationUri: 'https://github.com/cdk-guarded-keys/cdk-guarded-keys',
          rules: GUARD_RULES.map(rule => ({
            id: rule.id,
            name: rule.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()).replace(/^./, c => c.toUpperCase()),
            shortDescription: { text: rule.title },
            fullDescription: { text: rule.why },
            helpUri: rule.source,
            help: { text: `${rule.why} See ${rule.source}`, markdown: `${rule.why}\n\nSee [the AWS documentation](${rule.source}).` },
            defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
            properties: { tags: ['security', 'kms'] },
          })),
        },
      },
      results: [...report.findings.map(f => result(f)), ...report.suppressed.map(s => result(s, s.reason))],
    }],
  };
  return JSON.stringify(log, undefined, 2);
}

/** The line of a JSON pointer in a template file, found by the keys along the pointer (1 when unknown). */
class LineFinder {
  private readonly texts = new Map<string, string>();

  public lineOf(file: string, pointer: string): number {
    let text = this.texts.get(file);
    if (text === undefined) {
      try { text = readFileSync(file, 'utf8'); } catch { text = ''; }
      this.texts.set(file, text);
    }
    let position = 0;
    for (const segment of pointer.split('/').filter(Boolean)) {
      if (/^\d+$/.test(segment)) continue; // list positions are not searched for; the list's key is close enough
      const found = text.indexOf(JSON.stringify(segment), position);
      if (found < 0) break;
      position = found;
    }
    return text.slice(0, position).split('\n').length;
  }
}
