/**
 * `guarded-keys seal | open | rewrap | inspect`: the envelope core from the command line. Stdin/stdout by default;
 * KMS endpoint, region and credentials from the standard AWS environment (AWS_ENDPOINT_URL_KMS works).
 * What each command writes, and when, is stated in its help and in docs/cli.md.
 * @module
 */
import { Transform, Writable } from 'stream';
import type { SingleBar as SingleBarType } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { createOpenStream, createSealStream, IntegrityError, KeyNotFoundError, KmsAccessError, inspect, rewrapPreamble } from '../envelope';
import { run } from './exit-codes';
import { CLI_FRAME_SIZE } from './fd-seal';
import { countRest, followedBy, openInput, readPreamble, refuseEmpty, regularFileSize } from './input';
import { lazyKmsClient, resolveExpectedKeys, WitnessingKms } from './kms-for-cli';
import { allOrNothing, pipeInto, stdout } from './output';
import { streamInWorker, streamsInWorker, StreamWorkerError } from './stream-in-worker';

export { EXIT } from './exit-codes';

/** The most plaintext `open` holds in memory to write to stdout all at once (`--max-buffer`). */
export const DEFAULT_MAX_BUFFER_BYTES = 64 * 1024 * 1024;

export const OPEN_HELP = `Writes the plaintext only if the whole envelope verifies:
  --out FILE   written aside and renamed into place at the end; on any failure FILE is not created or changed.
  stdout       held in memory (at most --max-buffer bytes) and written at the end; on any failure nothing is
               written. A larger plaintext fails with exit 2 before anything is written: use --out or --stream.
  --stream     writes each frame to stdout as soon as it verified. On a failure (exit 3: a later frame does not
               verify, or the envelope is truncated) the frames already written stay written: discard the output.
A reader that closes stdout early (\`| head -c 10\`) ends the command quietly with exit 141.
`;

const SEAL_HELP = `An empty input (a closed stdin, \`< /dev/null\`, an empty file) is refused with exit 2 unless
--allow-empty is given. --out FILE appears only when the whole envelope was written; stdout is streamed.
`;

const REWRAP_HELP = `Reads only the header and wrapped keys, rewraps them with KMS ReEncrypt, then copies the body
unchanged (any size). --out FILE appears only when complete (it may be the input file itself); on stdout nothing is
written until KMS rewrapped the key.
`;

/** Registers the envelope commands on the program. */
export function registerEnvelopeCommands(program: Command): void {
  program.command('seal')
    .description('encrypt under one or more KMS keys into an envelope')
    .requiredOption('--key <key...>', 'KMS key id, ARN or alias (repeat for several)')
    .option('--context <k=v...>', 'encryption context pair (repeatable)', collectPairs, {})
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .option('--allow-empty', 'seal an empty input instead of refusing it')
    .addHelpText('after', `\n${SEAL_HELP}`)
    .action(async (o: { key: string[]; context: Record<string, string>; in?: string; out?: string; allowEmpty?: boolean }) => run(async () => {
      const kms = lazyKmsClient();
      if (inWorker(o.in, o.out)) {
        return streamInWorker({ kind: 'seal', keyIds: o.key, encryptionContext: o.context, input: o.in, allowEmpty: o.allowEmpty === true }, kms);
      }
      const sealing = createSealStream({ keyIds: o.key, encryptionContext: o.context, kms, frameSize: CLI_FRAME_SIZE });
      const stages = [openInput(o.in), ...progress(o.in), ...(o.allowEmpty ? [] : [refuseEmpty()]), sealing];
      await pipeInto(o.out, stages);
    }));

  program.command('open')
    .description('decrypt an envelope; nothing is written unless all of it verifies (but see --stream)')
    .option('--expect-context <k=v...>', 'require this encryption context pair (repeatable)', collectPairs, {})
    .option('--expect-key <key...>', 'require a wrapping key among these (a key ARN; a key id or alias is resolved with DescribeKey)')
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .option('--stream', 'write verified frames to stdout as they verify (a failure may follow written output)')
    .option('--max-buffer <bytes>', 'most plaintext held to write stdout all at once (suffix K, M or G)', parseSize, DEFAULT_MAX_BUFFER_BYTES)
    .addHelpText('after', `\n${OPEN_HELP}`)
    .action(async (o: OpenCommandOptions) => run(() => openCommand(o)));

  program.command('rewrap')
    .description('move an envelope to another KMS key with KMS ReEncrypt (the body is not touched)')
    .requiredOption('--to <key>', 'the KMS key to move the envelope to')
    .option('--keep-existing', 'keep the existing wrapped keys beside the new one')
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .addHelpText('after', `\n${REWRAP_HELP}`)
    .action(async (o: { to: string; keepExisting?: boolean; in?: string; out?: string }) => run(async () => {
      const source = openInput(o.in);
      const { bytes } = await readPreamble(source);
      const { preamble, bodyOffset } = await rewrapPreamble(bytes, { toKeyId: o.to, kms: lazyKmsClient(), keepExisting: o.keepExisting });
      await pipeInto(o.out, [followedBy([preamble, bytes.subarray(bodyOffset)], source)]);
    }));

  program.command('inspect')
    .description('print an envelope header as JSON (no KMS call; nothing is verified; only the header and wrapped keys are read from a file)')
    .option('--in <file>', 'input file (default: stdin)')
    .action(async (o: { in?: string }) => run(async () => {
      const source = openInput(o.in);
      const { parsed, bytes } = await readPreamble(source);
      const size = regularFileSize(o.in);
      // A file's size is known without reading on; a pipe's only by reading it to the end (counted, not kept).
      const bodyBytes = size !== undefined ? size - parsed.bodyOffset : bytes.length - parsed.bodyOffset + await countRest(source);
      source.destroy();
      const description = { ...inspect(bytes.subarray(0, parsed.bodyOffset)), bodyBytes };
      stdout().write(`${JSON.stringify(description, null, 2)}\n`);
    }));
}

interface OpenCommandOptions {
  readonly expectContext: Record<string, string>;
  readonly expectKey?: string[];
  readonly in?: string;
  readonly out?: string;
  readonly stream?: boolean;
  readonly maxBuffer: number;
}

async function openCommand(o: OpenCommandOptions): Promise<void> {
  const kms = new WitnessingKms();
  const keyIds = o.expectKey ? await resolveExpectedKeys(kms, o.expectKey) : undefined;
  const opening = () => createOpenStream({ kms, expect: { encryptionContext: o.expectContext, keyIds } });
  const tooLarge = `the plaintext exceeds --max-buffer (${o.maxBuffer} bytes) and nothing was written; use --out FILE, --stream or a larger --max-buffer`;
  try {
    if (inWorker(o.in, o.out)) {
      const job = { kind: 'open', expectContext: o.expectContext, keyIds, input: o.in, stream: o.stream === true, maxBuffer: o.maxBuffer, tooLarge } as const;
      await streamInWorker(job, kms);
    } else {
      const wrap = o.stream ? undefined : (sink: Writable) => allOrNothing(sink, o.maxBuffer, tooLarge);
      await pipeInto(o.out, [openInput(o.in), ...progress(o.in), opening()], wrap);
    }
  } catch (err) {
    // KMS called a wrapped key's ciphertext (with the envelope's context) invalid: the envelope is not genuine,
    // whatever another wrapped key's access error says.
    const kmsRefusal = err instanceof KmsAccessError || err instanceof KeyNotFoundError || (err instanceof StreamWorkerError && err.kmsRefusal);
    if (kmsRefusal && kms.sawInvalidCiphertext) throw new IntegrityError();
    throw err;
  }
}

function collectPairs(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

const SIZE = /^(\d+)([KMG]?)$/i;
const UNIT: Record<string, number> = { '': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3 };

function parseSize(value: string): number {
  const match = SIZE.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected a byte count such as 1048576, 512K, 64M or 2G, got '${value}'`);
  return Number(match[1]) * UNIT[match[2].toLowerCase()];
}

/**
 * Whether the command streams in a worker thread (./stream-worker.ts): on stdout, without a progress bar (which
 * draws on the main thread's stderr).
 */
function inWorker(input: string | undefined, output: string | undefined): boolean {
  return progressSize(input) === undefined && streamsInWorker(input, output);
}

/** The input's size when a progress bar is shown: on a terminal, for a file input of 8 MiB or more. */
function progressSize(input: string | undefined): number | undefined {
  const size = input === undefined || !process.stderr.isTTY ? undefined : regularFileSize(input);
  return size === undefined || size < 8 * 1024 * 1024 ? undefined : size;
}

/** A progress bar on a terminal, for a file input of 8 MiB or more. */
function progress(input: string | undefined): Transform[] {
  const size = progressSize(input);
  if (size === undefined) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar } = require('cli-progress') as { SingleBar: typeof SingleBarType };
  const bar = new SingleBar({ stream: process.stderr, format: 'guarded-keys [{bar}] {percentage}% {value}/{total} bytes' });
  bar.start(size, 0);
  return [new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bar.increment(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      bar.stop();
      callback();
    },
    destroy(err, callback) {
      bar.stop();
      callback(err);
    },
  })];
}
