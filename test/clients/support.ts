import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

/**
 * The clients this project did not write (boto3, the AWS CLI, the Go SDK v2), found the way CI installs them:
 * `test/clients/setup.sh` makes `.venv-clients/` at the repository root with pinned boto3 and awscli; without it
 * the tests fall back to what is on PATH, and skip, saying why, when a client is missing.
 * @module
 */

const ROOT = join(__dirname, '..', '..');
const VENV_BIN = join(ROOT, '.venv-clients', 'bin');

/** The python with boto3: the venv's when setup.sh made one, else `python3`. */
export const PYTHON = existsSync(join(VENV_BIN, 'python')) ? join(VENV_BIN, 'python') : 'python3';
/** The AWS CLI: the venv's when setup.sh made one, else `aws`. */
export const AWS_CLI = existsSync(join(VENV_BIN, 'aws')) ? join(VENV_BIN, 'aws') : 'aws';
/** The Go program under test/clients/go. */
export const GO_CLIENT_DIR = join(__dirname, 'go');

const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/** Which clients are here; each missing one with the reason, for a skip message. */
export function availableClients() {
  const boto3 = runs(PYTHON, ['-c', 'import boto3, botocore']);
  const awsCli = runs(AWS_CLI, ['--version']);
  const go = runs('go', ['version']);
  const missing = [
    !boto3 && `${PYTHON} cannot import boto3 (run test/clients/setup.sh)`,
    !awsCli && `no AWS CLI at ${AWS_CLI} (run test/clients/setup.sh)`,
    !go && 'no go on PATH (install Go 1.24 or later)',
  ].filter((m): m is string => typeof m === 'string');
  return { boto3, awsCli, go, missing };
}

/** No user configuration may leak into the non-JS clients: no AWS_* variables, no config or credentials files. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/.test(name)));
  return { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', ...extra };
}
