import { Command, InvalidArgumentError } from 'commander';
import { startEmulator } from '../emulator/server';

/**
 * `guarded-keys emulator`: a local KMS on HOST:PORT. Its first stdout line is `listening on http://HOST:PORT`
 * (with `--port 0`, the port the system gave), so scripts can read the endpoint.
 */
export function registerEmulatorCommand(program: Command): void {
  program.command('emulator')
    .description('run a local KMS that speaks the KMS wire protocol and enforces key policies, IAM policies and grants')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, 4599)
    .option('--data-dir <dir>', 'keep state here, durable across restarts and crashes')
    .option('--config <file>', 'JSON file declaring principals: { "principals": [ { "arn", "accessKeyId", "secretAccessKey", "identityPolicies" } ] }')
    .option('--debug', 'log every authorization decision to stderr')
    .action(async (options: { host: string; port: number; dataDir?: string; config?: string; debug?: boolean }) => {
      const { host, port, dataDir, config, debug } = options;
      const emulator = await startEmulator({ host, port, dataDir, config, debug });
      process.stdout.write(`listening on ${emulator.endpoint}\n`);
      const stop = () => {
        emulator.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`must be an integer from 0 to 65535. Received: ${value}`);
  return port;
}
