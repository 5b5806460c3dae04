import { spawn } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

/**
 * The Python validators, from the venv validators/setup.sh makes (.venv-validators at the repository root). No
 * fallback to whatever is on PATH: the pinned versions are what the exceptions file was written against.
 * @module
 */

const VENV_BIN = join(__dirname, '..', '..', '.venv-validators', 'bin');

/** The path of a venv tool; throws, saying how to install it, when it is missing. */
export function venvTool(name: string): string {
  const file = join(VENV_BIN, name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`bash validators/setup.sh\` (or \`npx projen setup:validators\`)`);
  return file;
}

/** What a finished command gave. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end; stdout and stderr collected, the exit code returned (never thrown). */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', reject);
    child.on('close', code => resolve({ code: code ?? 1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}
