/**
 * The `guarded-keys` program: one sub-command module per part of the library.
 *
 * Each module exports a `register*(program)` function; this file only wires them,
 * so the parts never import each other through the CLI. ./main.ts loads it (a stream worker never does).
 * @module
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { Command } from 'commander';
import { registerCheckCommand } from './check-command';
import { registerDeployCommand } from './deploy-command';
import { registerEmulatorCommand } from './emulator-command';
import { registerEnvelopeCommands } from './envelope-commands';
import { registerMatrixCommand } from './matrix-command';

export function buildProgram(): Command {
  const program = new Command('guarded-keys')
    .description('Guarded AWS KMS keys: a local KMS emulator, envelope encryption and local deployments.')
    .version(packageVersion(), '-V, --version', 'print the version of cdk-guarded-keys')
    .showHelpAfterError()
    // Usage errors exit 2 (the envelope commands use 3 for integrity, 4 for KMS, 5 for I/O).
    .exitOverride(err => {
      process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2);
    });
  registerEmulatorCommand(program);
  registerDeployCommand(program);
  registerEnvelopeCommands(program);
  registerCheckCommand(program);
  registerMatrixCommand(program);
  return program;
}

/**
 * The installed package's version: package.json sits two levels up from both src/cli and lib/cli. A CLI bundled
 * into one file elsewhere (the tests bundle it with esbuild) has no package.json there: it still runs, and
 * `--version` says the version is unknown rather than every command failing.
 */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown (not run from an installed package)';
  }
}
