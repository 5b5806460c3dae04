import { join } from 'path';
import { exampleApps } from './apps';
import { exceptionId, ExceptionsFileError, readExceptions } from './exceptions-file';
import { describeFinding, Tool, TOOLS } from './finding';
import { validate } from './validate';

/**
 * `npx projen validators [--apps <prefix>,...] [--tools cfn-lint,checkov,cdk-nag] [--exceptions <file>] [--verbose]`: runs the
 * external validators on the example apps and exits 0 when every finding is excused by validators/exceptions.json
 * (and every exception still excuses something), 1 when not, 2 on a bad exceptions file or a missing tool.
 * @module
 */

async function main(argv: string[]): Promise<number> {
  const option = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  // Prefixes, comma-separated (`integ/,docs/integrations/s3`): no shell wildcard to quote through projen.
  const prefixes = option('apps')?.split(',') ?? [''];
  const tools = (option('tools')?.split(',') ?? [...TOOLS]) as Tool[];
  const unknownTool = tools.find(t => !TOOLS.includes(t));
  if (unknownTool) {
    console.error(`unknown tool ${unknownTool}: the tools are ${TOOLS.join(', ')}`);
    return 2;
  }
  const exceptionsFile = option('exceptions') ?? join(__dirname, 'exceptions.json');
  const exceptions = readExceptions(exceptionsFile);
  const apps = exampleApps().filter(a => prefixes.some(p => a.name.startsWith(p)));
  if (apps.length === 0) {
    console.error(`no example app starts with ${prefixes.join(' or ')}: the apps are ${exampleApps().map(a => a.name).join(', ')}`);
    return 2;
  }

  const started = Date.now();
  const { runs, verdict } = await validate(apps, exceptions, tools);
  for (const run of runs) {
    const excused = verdict.excused.filter(e => e.finding.tool === run.tool).length;
    console.log(`${run.tool}: ${run.findings.length} finding(s) on ${apps.length} app(s), ${excused} excused by ${exceptionsFile}`);
  }
  const verbose = argv.includes('--verbose');
  for (const exception of new Set(verdict.excused.map(e => e.exception))) {
    const excused = verdict.excused.filter(e => e.exception === exception);
    console.log(`  excused ${excused.length}: ${exceptionId(exception)}`);
    if (verbose) excused.forEach(e => console.log(`    ${describeFinding(e.finding)}`));
  }
  for (const finding of verdict.unexcused) console.log(`FINDING ${describeFinding(finding)}`);
  for (const e of verdict.unknownRules) console.log(`EXCEPTION FOR AN UNKNOWN RULE (${e.tool} has no rule ${e.rule}): ${exceptionId(e)}`);
  // An exception may be for an app left out of this run: only a run over every app can call it unused.
  const everyApp = apps.length === exampleApps().length;
  const unused = everyApp ? verdict.unused : [];
  for (const e of unused) console.log(`UNUSED EXCEPTION (it excuses nothing now; remove it or fix its pattern): ${exceptionId(e)}`);
  // One closing line a CI reader understands: apps with no unexcused finding pass; an app with one fails, and so
  // does each exception that names an unknown rule or excuses nothing.
  const failedApps = new Set(verdict.unexcused.map(f => f.app)).size;
  const failed = failedApps + verdict.unknownRules.length + unused.length;
  console.log(`validators: ${apps.length - failedApps} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(code => process.exit(code), err => {
  console.error(err instanceof ExceptionsFileError ? err.message : err);
  process.exit(2);
});
