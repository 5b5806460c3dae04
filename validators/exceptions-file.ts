import { readFileSync } from 'fs';
import { Finding, RULE_ID_SHAPES, Tool, ToolRun, TOOLS } from './finding';
import { globMatch } from '../src/private/glob';

/**
 * The one file of findings the project accepts (validators/exceptions.json), each with the reason it is right to
 * accept it, and the verdict on a run: every finding must be excused by an exception, and every exception must
 * still excuse something and name a rule its tool knows, so the file can neither hide a new finding nor outlive
 * the finding it was written for.
 * @module
 */

/** One accepted finding (or family of findings). */
export interface ValidatorException {
  readonly tool: Tool;
  /** The tool's rule id, exactly as the tool prints it. */
  readonly rule: string;
  /** The resource's construct path; `*` and `?` are wildcards (`*\/PartnerReader/DefaultPolicy/Resource`). */
  readonly resource: string;
  /** For rules that report several things on one resource (cdk-nag's finding id); wildcards allowed. @default - any */
  readonly detail?: string;
  /** Why the finding is right to accept, or why the tool is wrong here. Required: a sentence, not a word. */
  readonly reason: string;
}

/** A reason shorter than this says nothing a reviewer can judge. */
export const MIN_REASON_LENGTH = 20;

/** An exceptions file that cannot be trusted: every problem is listed, so one edit can fix them all. */
export class ExceptionsFileError extends Error {
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`${source}: ${problems.length} problem(s):\n${problems.map(p => `  - ${p}`).join('\n')}`);
    this.name = 'ExceptionsFileError';
  }
}

const FIELDS = new Set(['tool', 'rule', 'resource', 'detail', 'reason']);
const TOP_FIELDS = new Set(['$comment', 'exceptions']);

/** Reads and checks an exceptions file. @throws {@link ExceptionsFileError} */
export function readExceptions(file: string): ValidatorException[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ExceptionsFileError(file, [`not readable JSON: ${(err as Error).message}`]);
  }
  return parseExceptions(parsed, file);
}

/**
 * Checks the parsed file: `{ "exceptions": [ { tool, rule, resource, detail?, reason }, ... ] }`. A field that is
 * unknown, missing or of the wrong shape, a rule id the tool would never print, a missing or one-word reason and a
 * duplicate are refused.
 * @throws {@link ExceptionsFileError}
 */
export function parseExceptions(parsed: unknown, source = 'exceptions'): ValidatorException[] {
  const problems: string[] = [];
  if (!isObject(parsed) || !Array.isArray(parsed.exceptions)) {
    throw new ExceptionsFileError(source, ['expected an object with an "exceptions" array']);
  }
  for (const field of Object.keys(parsed)) if (!TOP_FIELDS.has(field)) problems.push(`unknown top-level field "${field}"`);
  const seen = new Set<string>();
  const exceptions: ValidatorException[] = [];
  parsed.exceptions.forEach((entry: unknown, i: number) => {
    const at = `exceptions[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    const before = problems.length;
    for (const field of Object.keys(entry)) if (!FIELDS.has(field)) problems.push(`${at}: unknown field "${field}"`);
    const { tool, rule, resource, detail, reason } = entry;
    if (!TOOLS.includes(tool as Tool)) problems.push(`${at}: tool must be one of ${TOOLS.join(', ')}. Received: ${JSON.stringify(tool)}`);
    if (typeof rule !== 'string') {problems.push(`${at}: rule must be a string. Received: ${JSON.stringify(rule)}`);} else if (TOOLS.includes(tool as Tool) && !RULE_ID_SHAPES[tool as Tool].test(rule)) {
      problems.push(`${at}: "${rule}" is not a ${tool} rule id (expected ${RULE_ID_SHAPES[tool as Tool]})`);
    }
    if (typeof resource !== 'string' || resource.trim() === '') problems.push(`${at}: resource must be a construct path. Received: ${JSON.stringify(resource)}`);
    if (detail !== undefined && (typeof detail !== 'string' || detail === '')) problems.push(`${at}: detail, when given, must be a non-empty string`);
    if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
      problems.push(`${at}: reason is required: why accepting this finding is right (at least ${MIN_REASON_LENGTH} characters). Received: ${JSON.stringify(reason)}`);
    }
    if (problems.length > before) return;
    const exception = { tool, rule, resource, detail, reason } as ValidatorException;
    const id = exceptionId(exception);
    if (seen.has(id)) problems.push(`${at}: duplicate of an earlier exception (${id})`);
    seen.add(id);
    exceptions.push(exception);
  });
  if (problems.length > 0) throw new ExceptionsFileError(source, problems);
  return exceptions;
}

/** tool, rule, resource and detail: what identifies an exception in messages. */
export function exceptionId(e: ValidatorException): string {
  return `${e.tool} ${e.rule} ${e.resource}${e.detail ? ` [${e.detail}]` : ''}`;
}

/** Whether an exception excuses a finding. */
export function excuses(e: ValidatorException, f: Finding): boolean {
  return e.tool === f.tool && e.rule === f.rule && globMatch(e.resource, f.resource)
    && (e.detail === undefined || globMatch(e.detail, f.detail ?? ''));
}

/** The verdict on a run of the validators against the exceptions file. */
export interface Verdict {
  /** Findings no exception excuses: each fails the run. */
  readonly unexcused: readonly Finding[];
  /** Findings an exception excuses, with the reason (listed in the report). */
  readonly excused: ReadonlyArray<{ readonly finding: Finding; readonly exception: ValidatorException }>;
  /** Exceptions naming a rule the tool does not have (a typo excuses nothing, silently): each fails the run. */
  readonly unknownRules: readonly ValidatorException[];
  /** Exceptions that excused nothing (the finding was fixed, or the pattern is wrong): each fails the run. */
  readonly unused: readonly ValidatorException[];
  readonly ok: boolean;
}

/** Judges what the tools found against the exceptions; exceptions of tools that did not run are not judged. */
export function judge(runs: readonly ToolRun[], exceptions: readonly ValidatorException[]): Verdict {
  const ran = new Map(runs.map(r => [r.tool, r]));
  const judged = exceptions.filter(e => ran.has(e.tool));
  const used = new Set<ValidatorException>();
  const unexcused: Finding[] = [];
  const excused: Array<{ finding: Finding; exception: ValidatorException }> = [];
  for (const finding of runs.flatMap(r => r.findings)) {
    const exception = judged.find(e => excuses(e, finding));
    if (exception) {
      used.add(exception);
      excused.push({ finding, exception });
    } else {
      unexcused.push(finding);
    }
  }
  const unknownRules = judged.filter(e => !ran.get(e.tool)!.knownRules.has(e.rule));
  const unused = judged.filter(e => !used.has(e) && !unknownRules.includes(e));
  return { unexcused, excused, unknownRules, unused, ok: unexcused.length + unknownRules.length + unused.length === 0 };
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
