/**
 * What a command reads: a file or stdin, as a stream; and, for `inspect` and `rewrap`, only the envelope's preamble
 * (header and wrapped keys), whatever the size of the body behind it.
 * @module
 */
import { createReadStream, fstatSync, statSync } from 'fs';
import { Readable, Transform } from 'stream';
import { UsageError } from './exit-codes';
import { MalformedEnvelopeError } from '../envelope';
import { ParsedEnvelope, parseEnvelope } from '../envelope/format';

/** Bytes per read from a file: large reads keep a multi-GiB body cheap to stream through. */
const FILE_CHUNK_BYTES = 1024 * 1024;
/**
 * The most bytes read in search of a complete preamble. A context is at most 8 KiB and a wrapped key a few hundred
 * bytes, so real preambles are far smaller; the bound keeps a hostile or mistaken input from being read whole.
 */
export const MAX_PREAMBLE_SEARCH_BYTES = 64 * 1024 * 1024;

/** The input of a command: stdin when no path is given. */
export function openInput(path: string | undefined): Readable {
  return path === undefined ? process.stdin : createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
}

/** Why `seal` refuses an empty input. */
export const EMPTY_INPUT = 'the input is empty (a closed or empty stdin?); pass --allow-empty to seal an empty plaintext';

/** Fails at the end of an input that had no byte, before the seal stream asks KMS for anything or writes. */
export function refuseEmpty(): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      callback(seen === 0 ? new UsageError(EMPTY_INPUT) : null);
    },
  });
}

/** The size of the input when it is a regular file (a path, or stdin redirected from a file); otherwise undefined. */
export function regularFileSize(path: string | undefined): number | undefined {
  try {
    const stats = path === undefined ? fstatSync(0) : statSync(path);
    return stats.isFile() ? stats.size : undefined;
  } catch {
    return undefined;
  }
}

/** The parsed preamble, and every byte read so far (the preamble, then possibly the start of the body). */
export interface ReadPreamble {
  readonly parsed: ParsedEnvelope;
  readonly bytes: Uint8Array;
}

/**
 * Reads from `source` until the header and wrapped keys parse: at most about twice their size plus a chunk, whatever
 * the size of the body; the rest of the input stays unread in `source`. The first chunk is parsed at once; a parse
 * that fails before the input ended is retried once twice the bytes arrived (so a preamble fed in tiny chunks costs a
 * logarithmic number of parses); at the end of the input, or past {@link MAX_PREAMBLE_SEARCH_BYTES}, its error is
 * final.
 */
export async function readPreamble(source: Readable): Promise<ReadPreamble> {
  let chunks: Buffer[] = [];
  let size = 0;
  let parseAt = 0;
  for (;;) {
    const chunk = await nextChunk(source);
    if (chunk) {
      chunks.push(chunk);
      size += chunk.length;
      if (size < parseAt) continue;
    }
    const bytes = Buffer.concat(chunks, size);
    chunks = [bytes];
    try {
      return { parsed: parseEnvelope(bytes), bytes };
    } catch (err) {
      if (!chunk || !(err instanceof MalformedEnvelopeError)) throw err;
      if (size >= MAX_PREAMBLE_SEARCH_BYTES) {
        throw new MalformedEnvelopeError(`no complete header and wrapped keys in the first ${MAX_PREAMBLE_SEARCH_BYTES} bytes (${err.message})`);
      }
      parseAt = size * 2;
    }
  }
}

/** `head` followed by what is left of `source`, as one stream. */
export function followedBy(head: Uint8Array[], source: Readable): Readable {
  return Readable.from((async function* () {
    for (const bytes of head) if (bytes.length > 0) yield bytes;
    yield* source;
  })(), { objectMode: false });
}

/** Counts what is left of `source` without keeping it. */
export async function countRest(source: Readable): Promise<number> {
  let count = 0;
  for await (const chunk of source) count += (chunk as Buffer).length;
  return count;
}

/** The next chunk of a paused stream, or null at its end; the stream's error is thrown. */
async function nextChunk(source: Readable): Promise<Buffer | null> {
  for (;;) {
    const chunk = source.read() as Buffer | null;
    if (chunk !== null) return chunk;
    if (source.errored) throw source.errored;
    if (source.readableEnded) return null;
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        source.off('readable', settle);
        source.off('end', settle);
        source.off('error', settle);
        if (err) reject(err);
        else resolve();
      };
      source.on('readable', settle);
      source.on('end', settle);
      source.on('error', settle);
    });
  }
}
