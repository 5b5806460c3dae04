/**
 * The emulator as the benchmark runs it: bundled (bench/bundle.ts) and started by plain node, so neither ts-node
 * nor the CLI's other commands are in the measured process. `node emulator-server.js [config.json]`; prints the
 * endpoint on its first line.
 */
import { startEmulator } from '../src/emulator/server'; // as the CLI's `emulator` command imports it

startEmulator({ port: 0, config: process.argv[2] }).then(emulator => {
  process.stdout.write(`${emulator.endpoint}\n`);
  process.on('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}).catch(err => {
  process.stderr.write(`${err}\n`);
  process.exit(1);
});
