import { createHash } from 'crypto';
import * as fs from 'fs';
import { entryProblems, JournalEntry } from './journal-entry';

/**
 * The journal file: one line per acknowledged request, holding every record that request changed.
 *
 * | part | meaning |
 * | --- | --- |
 * | 32 hex characters | the first 16 bytes of SHA-256 over the payload's bytes |
 * | one space | |
 * | payload | `{"n":<sequence>,"r":[<entry>, ...]}`: `n` counts lines from 1, `r` is the request's entries |
 * | `\n` | ends the line; it is the last byte written, so a line without it was never acknowledged |
 *
 * A request's line is written whole (looping over short writes) and fsync'ed before the response, so a request is
 * applied after a restart entirely or not at all. Reading refuses anything it does not fully understand, naming the
 * line: a checksum or sequence mismatch, an unknown record kind, a wrong field. Only the bytes after the last
 * newline (a write cut off by a crash, never acknowledged) are dropped.
 *
 * Lines of the first format (one bare entry per line, no checksum) are still read, before any checksummed line.
 * @module
 */

export const JOURNAL_FILE = 'journal.jsonl';
const DIGEST_HEX = 32;
const NEWLINE = 0x0a;

/** The journal's file operations, replaceable so tests can make writes fail as a full disk does. */
export interface JournalFs {
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
}

export const NODE_JOURNAL_FS: JournalFs = {
  writeSync: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fsyncSync: fd => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
};

/** A journal this version cannot replay exactly: the emulator refuses to start, and leaves the file as it is. */
export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

/** What a journal holds. */
export interface DecodedJournal {
  /** One list of entries per line, in order. */
  readonly batches: JournalEntry[][];
  /** The sequence number of the last checksummed line (0: none). */
  readonly lastSequence: number;
  /** Bytes up to and including the last newline. */
  readonly completeBytes: number;
  /** Bytes after the last newline: a write cut off by a crash, never acknowledged. */
  readonly tornBytes: number;
}

/** The bytes of one journal line. */
export function encodeLine(sequence: number, entries: readonly JournalEntry[]): Buffer {
  const payload = Buffer.from(JSON.stringify({ n: sequence, r: entries }), 'utf8');
  return Buffer.concat([Buffer.from(`${digest(payload)} `, 'ascii'), payload, Buffer.from([NEWLINE])]);
}

/** Decodes a whole journal, or throws a {@link JournalError} naming the first line it cannot replay. */
export function decodeJournal(bytes: Uint8Array, path: string): DecodedJournal {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const batches: JournalEntry[][] = [];
  let start = 0;
  let lineNumber = 0;
  let lastSequence = 0;
  for (let end = data.indexOf(NEWLINE, start); end >= 0; end = data.indexOf(NEWLINE, start)) {
    lineNumber++;
    const line = data.subarray(start, end);
    const refuse = (why: string): never => {
      throw new JournalError(`the emulator journal ${path} cannot be replayed: line ${lineNumber}: ${why}. `
        + 'The emulator refuses to start and has not changed the file; repair or move it away.');
    };
    if (line[0] === 0x7b /* { */ && lastSequence === 0) {
      batches.push([checkedEntry(parseJson(line, refuse), 'the record', refuse)]);
    } else {
      const sequence = lastSequence + 1;
      batches.push(checkedLine(line, sequence, refuse));
      lastSequence = sequence;
    }
    start = end + 1;
  }
  return { batches, lastSequence, completeBytes: start, tornBytes: data.length - start };
}

function checkedLine(line: Buffer, sequence: number, refuse: (why: string) => never): JournalEntry[] {
  if (line.length === 0) refuse('the line is empty');
  const head = line.subarray(0, DIGEST_HEX + 1).toString('latin1');
  if (!/^[0-9a-f]{32} $/.test(head)) refuse('the line does not start with a checksum and a space');
  const payload = line.subarray(DIGEST_HEX + 1);
  if (digest(payload) !== head.slice(0, DIGEST_HEX)) refuse('the checksum does not match the line (the line was altered or damaged)');
  const batch = parseJson(payload, refuse) as { n?: unknown; r?: unknown };
  if (typeof batch !== 'object' || batch === null || Array.isArray(batch)) refuse('the line is not a JSON object');
  const extra = Object.keys(batch).filter(k => k !== 'n' && k !== 'r');
  if (extra.length) refuse(`unknown field ${extra.join(', ')} (known: n, r)`);
  if (batch.n !== sequence) refuse(`the sequence number is ${JSON.stringify(batch.n)} where ${sequence} was expected (a line is missing, repeated or out of order)`);
  if (!Array.isArray(batch.r) || batch.r.length === 0) refuse('r must be a non-empty array of records');
  return (batch.r as unknown[]).map((entry, i) => checkedEntry(entry, `record ${i + 1}`, refuse));
}

function checkedEntry(entry: unknown, where: string, refuse: (why: string) => never): JournalEntry {
  const problems = entryProblems(entry, where);
  if (problems.length) refuse(problems.join('; '));
  return entry as JournalEntry;
}

function parseJson(bytes: Buffer, refuse: (why: string) => never): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch (err) {
    return refuse(`not valid JSON (${(err as Error).message})`);
  }
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, DIGEST_HEX);
}

/**
 * Appends lines to an open journal at a known end. A failed write is undone (the file truncated back to its last
 * acknowledged byte and fsync'ed) so the journal stays a sequence of whole lines; if even that fails, the writer
 * refuses every later write until the emulator restarts, since appending after a fragment would bury it mid-file.
 */
export class JournalWriter {
  private unusable?: string;

  constructor(private readonly fd: number, private size: number, private sequence: number, private readonly io: JournalFs = NODE_JOURNAL_FS) {}

  /** Writes one line holding `entries` and fsyncs it; throws (having undone the write) if it cannot. */
  public append(entries: readonly JournalEntry[]): void {
    if (this.unusable) throw new Error(`the journal is unusable since an earlier write could not be undone (${this.unusable})`);
    const line = encodeLine(this.sequence + 1, entries);
    try {
      for (let written = 0; written < line.length;) {
        const n = this.io.writeSync(this.fd, line, written, line.length - written, this.size + written);
        if (!(n > 0)) throw new Error(`the file system accepted ${written} of ${line.length} bytes`);
        written += n;
      }
      this.io.fsyncSync(this.fd);
    } catch (err) {
      this.undo(err as Error);
      throw err;
    }
    this.size += line.length;
    this.sequence++;
  }

  private undo(cause: Error): void {
    try {
      this.io.ftruncateSync(this.fd, this.size);
      this.io.fsyncSync(this.fd);
    } catch (err) {
      this.unusable = `${cause.message}; then ${(err as Error).message}`;
    }
  }
}
