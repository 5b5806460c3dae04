import { readFileSync } from 'fs';
import { Command } from 'commander';
import type { AdminCredential } from '../emulator/config';
import type * as Deployment from '../local/deployment';
import type * as HttpTarget from '../local/http-target';

/** Local deployment, loaded when this command runs and not with the program: see main.ts. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deployment = () => require('../local/deployment') as typeof Deployment;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpTarget = () => require('../local/http-target') as typeof HttpTarget;

/** The environment variables deploy reads the emulator's admin credential from (the emulator prints them). */
export const ADMIN_ENV = {
  accessKeyId: 'GUARDED_KEYS_ADMIN_ACCESS_KEY_ID',
  secretAccessKey: 'GUARDED_KEYS_ADMIN_SECRET_ACCESS_KEY',
} as const;

interface DeployOptions {
  readonly endpoint: string;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly adminAccessKeyId?: string;
  readonly adminSecretAccessKey?: string;
  readonly adminFile?: string;
}

/**
 * `guarded-keys deploy --endpoint URL <template.json | cdk.out>`: materializes a synthesized template (or every
 * stack of a cdk.out) in a running emulator and prints, as JSON, the keys, aliases, the principals' credentials
 * and the resources it did not model. Registering principals needs the emulator's admin credential.
 */
export function registerDeployCommand(program: Command): void {
  program.command('deploy')
    .description('deploy a synthesized template or cdk.out into a running emulator')
    .argument('<source>', 'a template JSON file or a cdk.out folder')
    .requiredOption('--endpoint <url>', 'the emulator endpoint, e.g. http://127.0.0.1:4599')
    .option('--account <id>', 'account of environment-agnostic stacks', '111122223333')
    .option('--region <region>', 'region of environment-agnostic stacks', 'us-east-1')
    .option('--stack-name <name>', 'stack name for a single template', 'Stack')
    .option('--admin-access-key-id <id>', `the emulator's admin access key id (default: $${ADMIN_ENV.accessKeyId})`)
    .option('--admin-secret-access-key <secret>', `the emulator's admin secret (default: $${ADMIN_ENV.secretAccessKey}, which keeps it out of the process list)`)
    .option('--admin-file <path>', 'read the admin credential from this file, e.g. <data-dir>/admin.json')
    .action(async (source: string, options: DeployOptions) => {
      const deployed = await deployment().deployLocally(source, {
        emulator: httpTarget().httpDeploymentTarget(options.endpoint, adminCredential(options)),
        account: options.account,
        region: options.region,
        stackName: options.stackName,
      });
      try {
        const out = {
          endpoint: deployed.endpoint,
          keys: deployed.keys,
          aliases: deployed.aliases,
          // Credentials are printed on purpose: they exist only in this emulator, and tests need them.
          principals: deployed.principals.map(({ identityPolicies: _, ...principal }) => principal),
          unmodeled: deployed.unmodeled,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } finally {
        deployed.close();
      }
    });
}

/** The admin credential from the flags, else the file, else the environment; an error saying how to give it. */
function adminCredential(options: DeployOptions): AdminCredential {
  const file = options.adminFile ? readAdminFile(options.adminFile) : undefined;
  const accessKeyId = options.adminAccessKeyId ?? file?.accessKeyId ?? process.env[ADMIN_ENV.accessKeyId];
  const secretAccessKey = options.adminSecretAccessKey ?? file?.secretAccessKey ?? process.env[ADMIN_ENV.secretAccessKey];
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('deploy needs the emulator\'s admin credential (printed by `guarded-keys emulator`, kept in <data-dir>/admin.json): '
      + `--admin-access-key-id and --admin-secret-access-key, --admin-file, or ${ADMIN_ENV.accessKeyId} and ${ADMIN_ENV.secretAccessKey}`);
  }
  return { accessKeyId, secretAccessKey };
}

function readAdminFile(path: string): Partial<AdminCredential> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<AdminCredential>;
  } catch (err) {
    throw new Error(`cannot read the admin credential ${path}: ${(err as Error).message}`);
  }
}
