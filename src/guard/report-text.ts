import { GuardFinding, GuardReport } from './engine';

/**
 * The guard's report for people (a terminal, a CI log) and for programs (JSON). SARIF, for code scanning, is in
 * `report-sarif.ts`.
 * @module
 */

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** A fixed-width table, findings by severity, then the suppressions with their reasons, then a summary line. */
export function renderReportTable(report: GuardReport): string {
  const lines = [`guarded-keys check: ${report.stacks.length} stack(s), ${report.keys} key(s)`];
  const findings = [...report.findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  if (findings.length) {
    const rows = findings.map(f => [f.severity.toUpperCase(), f.rule, resourceName(f), f.message]);
    const widths = [0, 1, 2].map(i => Math.max(...rows.map(r => r[i].length)));
    lines.push('', ...rows.map(r => `${r.slice(0, 3).map((c, i) => c.padEnd(widths[i])).join('  ')}  ${r[3]}`));
  }
  if (report.suppressed.length) {
    lines.push('', `Suppressed (${report.suppressed.length}):`);
    for (const s of report.suppressed) lines.push(`  ${s.rule}  ${resourceName(s)}  ${s.message}`, `      reason: ${s.reason}`);
  }
  if (report.costs.length) lines.push('', ...renderCosts(report));
  lines.push('', summaryLine(report));
  return lines.join('\n');
}

/** The report as JSON: the findings, the suppressions with their reasons, and the counts. */
export function renderReportJson(report: GuardReport): string {
  return JSON.stringify({ ...report, summary: counts(report) }, undefined, 2);
}

/** `1 error, 2 warnings, 0 info, 1 suppressed`. */
export function summaryLine(report: GuardReport): string {
  const c = counts(report);
  return `${c.errors} error(s), ${c.warnings} warning(s), ${c.info} info, ${c.suppressed} suppressed`;
}

function counts(report: GuardReport) {
  const of = (severity: GuardFinding['severity']) => report.findings.filter(f => f.severity === severity).length;
  return { errors: of('error'), warnings: of('warning'), info: of('info'), suppressed: report.suppressed.length };
}

/** One line a key: what it costs now, once rotation reaches AWS's cap, and with requests; then the total. */
function renderCosts(report: GuardReport): string[] {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const rate = report.costs[0].requestsPerMonth;
  const lines = [`Monthly cost (AWS list prices${rate ? `, ${rate} requests a month per key` : ', no requests counted: see --requests-per-month'}):`];
  for (const c of report.costs) {
    const rotation = c.rotationPeriodDays === undefined ? 'no rotation'
      : `${usd(c.keyAtCap)} after ${c.capReachedAfterDays} days of rotation${c.replica ? ' (a replica rotates with its primary)' : ''}`;
    lines.push(`  ${c.stack}/${c.path.replace(/\/Resource$/, '').replace(`${c.stack}/`, '')}  key ${usd(c.keyNow)}, ${rotation}; requests ${usd(c.requestCost)}`);
  }
  const total = report.costs.reduce((sum, c) => sum + c.monthlyAtCap, 0);
  lines.push(`  total once rotation is at its cap: ${usd(total)} a month for ${report.costs.length} key(s)`);
  return lines;
}

/** `Stack/CustomerDataKey` (the construct path when the template has CDK metadata). */
function resourceName(f: GuardFinding): string {
  const path = f.path.replace(/\/Resource$/, '');
  return path.startsWith(`${f.stack}/`) ? path : `${f.stack}/${path}`;
}
