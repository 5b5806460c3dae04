import { createReadStream, createWriteStream, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'fs';
import { Readable, Transform, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import {
  createOpenStream, createSealStream, EnvelopeError, ExpectationError, inspect, IntegrityError, KeyNotFoundError, KmsAccessError, rewrap,
} from '../envelope';

/** Exit codes: documented in the README, distinct so scripts can tell a tampered file from a typo. */
export const EXIT = { ok: 0, failure: 1, usage: 2, integrity: 3, kms: 4, io: 5 } as const;

/**
 * `guarded-keys seal | open | rewrap | inspect`: the envelope core from the command line. Stdin/stdout by default;
 * KMS endpoint, region and credentials from the standard AWS environment (AWS_ENDPOINT_URL_KMS works). A progress
 * bar shows on a terminal for large files.
 */
export function registerEnvelopeCommands(program: Command): void {
  program.command('seal')
    .description('encrypt under one or more KMS keys into an envelope')
    .requiredOption('--key <key...>', 'KMS key id, ARN or alias (repeat for several)')
    .option('--context <k=v...>', 'encryption context pair (repeatable)', collectPairs, {})
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (o: { key: string[]; context: Record<string, string>; in?: string; out?: string }) => run(() => {
      const sealing = createSealStream({ keyIds: o.key, encryptionContext: o.context, kms: new KMSClient({}) });
      return transformFile(o.in, o.out, sealing);
    }));

  program.command('open')
    .description('decrypt an envelope; nothing is written unless all of it verifies')
    .option('--expect-context <k=v...>', 'require this encryption context pair (repeatable)', collectPairs, {})
    .option('--expect-key <key...>', 'require a wrapping key among these')
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (o: { expectContext: Record<string, string>; expectKey?: string[]; in?: string; out?: string }) => run(() => {
      const expect = { encryptionContext: o.expectContext, keyIds: o.expectKey };
      return transformFile(o.in, o.out, createOpenStream({ kms: new KMSClient({}), expect }));
    }));

  program.command('rewrap')
    .description('move an envelope to another KMS key with KMS ReEncrypt (the body is not touched)')
    .requiredOption('--to <key>', 'the KMS key to move the envelope to')
    .option('--keep-existing', 'keep the existing wrapped keys beside the new one')
    .option('--in <file>', 'input file (default: stdin)')
    .option('--out <file>', 'output file (default: stdout)')
    .action(async (o: { to: string; keepExisting?: boolean; in?: string; out?: string }) => run(async () => {
      const input = await readAll(o.in);
      await writeAll(o.out, await rewrap(input, { toKeyId: o.to, kms: new KMSClient({}), keepExisting: o.keepExisting }));
    }));

  program.command('inspect')
    .description('print an envelope header as JSON (no KMS call; nothing is verified)')
    .option('--in <file>', 'input file (default: stdin)')
    .action(async (o: { in?: string }) => run(async () => {
      process.stdout.write(`${JSON.stringify(inspect(await readAll(o.in)), null, 2)}\n`);
    }));
}

function collectPairs(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected key=value, got '${value}'`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** Runs a command, mapping failures to exit codes and messages that never echo secret input. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const code = err instanceof IntegrityError ? EXIT.integrity
      : err instanceof KmsAccessError || err instanceof KeyNotFoundError ? EXIT.kms
        : err instanceof ExpectationError ? EXIT.integrity
          : err instanceof EnvelopeError ? EXIT.integrity
            : err instanceof TypeError || err instanceof RangeError ? EXIT.usage
              : (err as NodeJS.ErrnoException).code?.startsWith('E') ? EXIT.io : EXIT.failure;
    process.stderr.write(`guarded-keys: ${(err as Error).message}\n`);
    process.exitCode = code;
  }
}

/**
 * Streams input through a transform into the output. A file output is written to a temporary name and renamed
 * only on success, so a failed open leaves no partial plaintext behind.
 */
async function transformFile(input: string | undefined, output: string | undefined, transform: Transform): Promise<void> {
  const source = input ? createReadStream(input) : process.stdin;
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream> = [source];
  const bar = progressBar(input);
  if (bar) {
    stages.push(new Transform({ transform(chunk: Buffer, _e, cb) { bar.increment(chunk.length); cb(null, chunk); } }));
  }
  stages.push(transform);
  const temporary = output ? `${output}.partial-${process.pid}` : undefined;
  stages.push(temporary ? createWriteStream(temporary, { mode: 0o600 }) : stdoutSink());
  try {
    await pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
    if (temporary) renameSync(temporary, output!);
  } catch (err) {
    if (temporary) {
      try { unlinkSync(temporary); } catch { /* already gone */ }
    }
    throw err;
  } finally {
    bar?.stop();
  }
}

function progressBar(input: string | undefined): SingleBar | undefined {
  if (!input || !process.stderr.isTTY) return undefined;
  const size = statSync(input).size;
  if (size < 8 * 1024 * 1024) return undefined;
  const bar = new SingleBar({ stream: process.stderr, format: 'guarded-keys [{bar}] {percentage}% {value}/{total} bytes' });
  bar.start(size, 0);
  return bar;
}

function stdoutSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      process.stdout.write(chunk, callback);
    },
  });
}

async function readAll(input: string | undefined): Promise<Uint8Array> {
  if (input) return new Uint8Array(readFileSync(input));
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(process.stdin)) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

async function writeAll(output: string | undefined, data: Uint8Array): Promise<void> {
  if (!output) {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, err => (err ? reject(err) : resolve())));
    return;
  }
  const temporary = `${output}.partial-${process.pid}`;
  writeFileSync(temporary, data, { mode: 0o600 });
  renameSync(temporary, output);
}
