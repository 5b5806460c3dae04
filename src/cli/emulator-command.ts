import { Command, InvalidArgumentError } from 'commander';
import { ADMIN_ENV } from './deploy-command';
import type { ResolvedAdmin } from '../emulator/admin';
import type * as EmulatorServer from '../emulator/server';

/** The emulator, loaded when this command runs and not with the program: see main.ts. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emulatorServer = () => require('../emulator/server') as typeof EmulatorServer;

/**
 * `guarded-keys emulator`: a local KMS on HOST:PORT. Its first stdout line is `listening on http://HOST:PORT`
 * (with `--port 0`, the port the system gave), so scripts can read the endpoint; its second gives the admin
 * credential that `guarded-keys deploy` needs, as the environment variables deploy reads
 * (`admin credential: GUARDED_KEYS_ADMIN_ACCESS_KEY_ID=... GUARDED_KEYS_ADMIN_SECRET_ACCESS_KEY=...`). A secret
 * taken from the configuration file is not printed back.
 */
export function registerEmulatorCommand(program: Command): void {
  program.command('emulator')
    .description('run a local KMS that speaks the KMS wire protocol and enforces key policies, IAM policies and grants')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 4599)
    .option('--data-dir <dir>', 'keep state here, durable across restarts and crashes')
    .option('--config <file>', 'JSON file declaring principals and, optionally, the admin credential: '
      + '{ "principals": [ { "arn", "accessKeyId", "secretAccessKey", "identityPolicies", "tags" } ], "admin": { "accessKeyId", "secretAccessKey" } }')
    .option('--debug', 'log every authorization decision to stderr')
    .option('--audit-log <file>', 'append every KMS request to FILE as a CloudTrail-shaped JSON line (never plaintext or key material)')
    .option('--quotas <scale>', 'apply KMS\'s documented request quotas times SCALE (1: AWS\'s defaults), answering ThrottlingException', parseScale)
    .action(async (options: EmulatorCommandOptions) => {
      const { host, port, dataDir, config, debug, auditLog } = options;
      const quotas = options.quotas === undefined ? undefined : { scale: options.quotas };
      const emulator = await emulatorServer().startEmulator({ host, port, dataDir, config, debug, auditLog, quotas });
      process.stdout.write(`listening on ${emulator.endpoint}\n`);
      process.stdout.write(`${adminLine(emulator.admin)}\n`);
      const stop = () => {
        emulator.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

interface EmulatorCommandOptions {
  host: string; port: number; dataDir?: string; config?: string; debug?: boolean; auditLog?: string; quotas?: number;
}

function adminLine(admin: ResolvedAdmin): string {
  const secret = admin.source === 'config' ? '(from the configuration file)' : admin.secretAccessKey;
  return `admin credential: ${ADMIN_ENV.accessKeyId}=${admin.accessKeyId} ${ADMIN_ENV.secretAccessKey}=${secret}`;
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!(Number.isFinite(scale) && scale > 0)) throw new InvalidArgumentError(`must be a positive number. Received: ${value}`);
  return scale;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`must be an integer from 0 to 65535. Received: ${value}`);
  return port;
}
