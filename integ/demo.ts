/**
 * `npm run demo`: see demo-run.ts for what it prints. Exit code 0 when every measured cell agrees with the policy
 * model and every value opens for the application role only; 1 otherwise; 2 when the demo itself failed.
 */
import { runDemo } from './demo-run';

runDemo(text => process.stdout.write(text)).then(summary => {
  process.exitCode = summary.disagreements === 0 && summary.wrongOpens === 0 ? 0 : 1;
}, err => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
