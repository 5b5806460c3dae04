import { statSync } from 'fs';
import { Command, Option } from 'commander';
import type * as Emulator from '../emulator';
import { GuardInputError, GuardTemplate, readGuardTemplates } from '../guard/template-source';
import type * as Local from '../local';
import type * as AccessMatrix from '../policy/access-matrix';
import type * as AccessMatrixDiff from '../policy/access-matrix-diff';
import type * as AccessMatrixRender from '../policy/access-matrix-render';

/**
 * The policy model, the emulator and local deployment, loaded when `matrix` runs and not with the program: see
 * main.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const emulator = () => require('../emulator') as typeof Emulator;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const local = () => require('../local') as typeof Local;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const accessMatrix = () => require('../policy/access-matrix') as typeof AccessMatrix;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const accessMatrixDiff = () => require('../policy/access-matrix-diff') as typeof AccessMatrixDiff;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const accessMatrixRender = () => require('../policy/access-matrix-render') as typeof AccessMatrixRender;

interface MatrixOptions {
  readonly format: AccessMatrixRender.MatrixFormat;
  readonly diff?: string[];
  readonly measure?: boolean;
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
    .option('--measure', 'also deploy into an embedded emulator and measure each cell by a real request; disagreements are marked !! (exit 1)')
    .action(async (inputs: string[], options: MatrixOptions) => {
      const { renderAccessChanges, renderMatrices } = accessMatrixRender();
      try {
        if (options.measure) {
          if (options.diff || !inputs.length) throw new GuardInputError('--measure takes the templates or cdk.out to deploy, and no --diff');
          const disagreements = await measureMatrices(inputs, options.format);
          process.exitCode = disagreements ? 1 : 0;
          return;
        }
        if (options.diff) {
          const [before, after, ...rest] = [...options.diff, ...inputs];
          if (!before || !after || rest.length) throw new GuardInputError('--diff takes exactly two inputs: <old> <new>');
          const [old, now] = [readGuardTemplates(before), readGuardTemplates(after)];
          // Two lone templates are two versions of one stack, whatever their file names.
          const renamed = old.length === 1 && now.length === 1 ? [{ ...old[0], stackName: now[0].stackName }] : old;
          process.stdout.write(`${renderAccessChanges(accessMatrixDiff().diffAccess(matricesOf(renamed), matricesOf(now)), options.format)}\n`);
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

/**
 * Deploys each input into a fresh embedded emulator and prints, under each key's matrix, the same cells measured by
 * real requests (as `npm run demo` does). Returns the number of disagreements.
 */
async function measureMatrices(inputs: string[], format: AccessMatrixRender.MatrixFormat): Promise<number> {
  const { deployLocally, measureAccessMatrix, renderMeasuredMatrix } = local();
  const { renderMatrices } = accessMatrixRender();
  let disagreements = 0;
  for (const input of inputs) {
    const templates = readGuardTemplates(input);
    const running = await emulator().startEmulator();
    try {
      const single = templates.length === 1 && !statSync(input).isDirectory();
      const deployment = await deployLocally(input, { emulator: running, ...(single ? { stackName: templates[0].stackName } : {}) });
      try {
        for (const template of templates) {
          for (const matrix of matricesOf([template])) {
            const measured = await measureAccessMatrix(deployment, matrix, template.stackName);
            disagreements += measured.cells.filter(c => c.expected !== c.measured).length;
            process.stdout.write(format === 'json'
              ? `${JSON.stringify({ matrix, measured }, undefined, 2)}\n`
              : `${renderMatrices([matrix], format)}\n\n${format === 'markdown' ? '```\n' : ''}${renderMeasuredMatrix(measured)}${format === 'markdown' ? '\n```' : ''}\n\n`);
          }
        }
      } finally {
        deployment.close();
      }
    } finally {
      await running.stop();
    }
  }
  return disagreements;
}

function matricesOf(templates: GuardTemplate[]): AccessMatrix.KeyAccessMatrix[] {
  const { keyAccessMatrices } = accessMatrix();
  return templates.flatMap(t =>
    keyAccessMatrices(t.template as Parameters<typeof keyAccessMatrices>[0], t.stackName, { account: t.account, region: t.region }));
}
