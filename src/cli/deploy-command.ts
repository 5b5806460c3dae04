import { Command } from 'commander';
import { deployLocally } from '../local/deployment';
import { httpDeploymentTarget } from '../local/http-target';

/**
 * `guarded-keys deploy --endpoint URL <template.json | cdk.out>`: materializes a synthesized template (or every
 * stack of a cdk.out) in a running emulator and prints, as JSON, the keys, aliases, the principals' credentials
 * and the resources it did not model.
 */
export function registerDeployCommand(program: Command): void {
  program.command('deploy')
    .description('deploy a synthesized template or cdk.out into a running emulator')
    .argument('<source>', 'a template JSON file or a cdk.out folder')
    .requiredOption('--endpoint <url>', 'the emulator endpoint, e.g. http://127.0.0.1:4599')
    .option('--account <id>', 'account of environment-agnostic stacks', '111122223333')
    .option('--region <region>', 'region of environment-agnostic stacks', 'us-east-1')
    .option('--stack-name <name>', 'stack name for a single template', 'Stack')
    .action(async (source: string, options: { endpoint: string; account: string; region: string; stackName: string }) => {
      const deployment = await deployLocally(source, {
        emulator: httpDeploymentTarget(options.endpoint), account: options.account, region: options.region, stackName: options.stackName,
      });
      try {
        const out = {
          endpoint: deployment.endpoint,
          keys: deployment.keys,
          aliases: deployment.aliases,
          // Credentials are printed on purpose: they exist only in this emulator, and tests need them.
          principals: deployment.principals.map(({ identityPolicies: _, ...principal }) => principal),
          unmodeled: deployment.unmodeled,
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } finally {
        deployment.close();
      }
    });
}
