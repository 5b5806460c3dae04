import { Command, Option } from 'commander';
import { GuardInputError, GuardTemplate, readGuardTemplates } from '../guard/template-source';
import { keyAccessMatrices, KeyAccessMatrix } from '../policy/access-matrix';
import { diffAccess } from '../policy/access-matrix-diff';
import { MatrixFormat, renderAccessChanges, renderMatrices } from '../policy/access-matrix-render';

interface MatrixOptions {
  readonly format: MatrixFormat;
  readonly diff?: string[];
}

/**
 * `guarded-keys matrix <template.json | cdk.out>... [--format table|json|markdown]`: who can administer, encrypt,
 * decrypt, grant (sign, verify, MAC) on every key, under which conditions, from which statement, read from the key
 * policies and the template's IAM policies, for keys written with any library. `--diff <old> <new>` prints only
 * what a change adds or removes (Markdown for a pull-request comment). Exit 2 on unreadable input.
 */
export function registerMatrixCommand(program: Command): void {
  program.command('matrix')
    .description('Print the access matrix of every KMS key in templates or cloud assemblies')
    .argument('[inputs...]', 'template.json files or cdk.out directories')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown']).default('table'))
    .option('--diff <old-and-new...>', 'compare two versions (template or cdk.out each) and print only what changed')
    .action((inputs: string[], options: MatrixOptions) => {
      try {
        if (options.diff) {
          const [before, after, ...rest] = [...options.diff, ...inputs];
          if (!before || !after || rest.length) throw new GuardInputError('--diff takes exactly two inputs: <old> <new>');
          const [old, now] = [readGuardTemplates(before), readGuardTemplates(after)];
          // Two lone templates are two versions of one stack, whatever their file names.
          const renamed = old.length === 1 && now.length === 1 ? [{ ...old[0], stackName: now[0].stackName }] : old;
          process.stdout.write(`${renderAccessChanges(diffAccess(matricesOf(renamed), matricesOf(now)), options.format)}\n`);
        } else {
          if (!inputs.length) throw new GuardInputError('name at least one template.json or cdk.out');
          process.stdout.write(`${renderMatrices(matricesOf(inputs.flatMap(readGuardTemplates)), options.format)}\n`);
        }
      } catch (err) {
        const message = err instanceof GuardInputError ? err.message : `cannot read the access matrix: ${(err as Error).message ?? String(err)}`;
        process.stderr.write(`guarded-keys matrix: ${message}\n`);
        process.exitCode = 2;
      }
    });
}

function matricesOf(templates: GuardTemplate[]): KeyAccessMatrix[] {
  return templates.flatMap(t =>
    keyAccessMatrices(t.template as Parameters<typeof keyAccessMatrices>[0], t.stackName, { account: t.account, region: t.region }));
}
