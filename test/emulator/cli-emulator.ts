import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';

const ROOT = join(__dirname, '..', '..');
const CLI = ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0'];
const ENV = { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') };

/** A `guarded-keys emulator` process, with what its first two stdout lines said. */
export interface CliEmulator {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly admin: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Resolves when the process has exited. */
  readonly exited: Promise<unknown>;
}

/**
 * Starts `guarded-keys emulator --port 0 ...args` and reads its endpoint and admin credential. With
 * `fileSizeLimitBlocks`, the process runs under `ulimit -f` (RLIMIT_FSIZE): a file cannot grow past the limit, a
 * write that would is cut short and the next fails with EFBIG, as on a full disk.
 */
export function startCliEmulator(args: string[], options: { fileSizeLimitBlocks?: number } = {}): Promise<CliEmulator> {
  const command = options.fileSizeLimitBlocks === undefined
    ? [process.execPath, ...CLI, ...args]
    : ['sh', '-c', `ulimit -f ${options.fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, ...CLI, ...args];
  const child = spawn(command[0], command.slice(1), { env: ENV, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise(resolve => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', line => {
      lines.push(line);
      if (lines.length !== 2) return;
      const endpoint = /^listening on (\S+)$/.exec(lines[0])?.[1];
      const admin = /^admin credential: GUARDED_KEYS_ADMIN_ACCESS_KEY_ID=(\S+) GUARDED_KEYS_ADMIN_SECRET_ACCESS_KEY=(\S+)$/.exec(lines[1]);
      if (!endpoint || !admin) return reject(new Error(`unexpected first lines: ${lines.join(' | ')}`));
      resolve({ child, endpoint, admin: { accessKeyId: admin[1], secretAccessKey: admin[2] }, exited });
    });
    child.once('exit', code => reject(new Error(`emulator exited early with ${code}`)));
  });
}

/** SIGKILL, and wait for the process to be gone. */
export async function killHard(emulator: CliEmulator): Promise<void> {
  emulator.child.kill('SIGKILL');
  await emulator.exited;
}
