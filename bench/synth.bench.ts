/**
 * Synthesis: an app of 500 GuardedKeys against an app of 500 plain aws-cdk-lib `kms.Key`s configured as closely as
 * aws-cdk-lib allows (rotation every 365 days, a 30-day deletion window, RETAIN, an administrator in the key policy
 * and a user's encrypt/decrypt statement), alone, with the KeyGuard aspect, and with the validation plugin; the
 * contenders interleaved and repeated (median and range, per CPU-second of this process). One operation is a whole
 * `app.synth()` into a fresh temporary directory, construction included.
 *
 * `BENCH_PROFILE=<name>` runs only that contender, for `node --cpu-prof`.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import * as cdk from 'aws-cdk-lib';
import { App, Aspects, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { addSummary, interleave, median, printTable, QUICK, ratio, REPS, summary } from './stats';
import { GuardedKey, GuardedKeysValidationPlugin, KeyGuard } from '../src';

const KEYS = Number(process.env.BENCH_KEYS ?? 500);
const ENV = { account: '111122223333', region: 'eu-west-1' };
const ADMIN = 'arn:aws:iam::111122223333:role/admin';
const USER = 'arn:aws:iam::111122223333:role/app';

type Guarding = 'none' | 'aspect' | 'plugin';

/** An app with the plugin registered as the installed aws-cdk-lib expects it (Validations.of where it exists). */
function newApp(outdir: string, guarding: Guarding): App {
  if (guarding !== 'plugin') return new App({ outdir });
  const plugin = new GuardedKeysValidationPlugin();
  const validations = (cdk as { Validations?: { of(app: App): { addPlugins(...p: unknown[]): void } } }).Validations;
  const app = validations ? new App({ outdir }) : new App({ outdir, policyValidationBeta1: [plugin] });
  validations?.of(app).addPlugins(plugin);
  return app;
}

function plainKey(stack: Stack, id: string): void {
  const user = new iam.ArnPrincipal(USER);
  const key = new kms.Key(stack, id, {
    enableKeyRotation: true,
    rotationPeriod: Duration.days(365),
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    admins: [new iam.ArnPrincipal(ADMIN)],
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowKeyUse', principals: [user], actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'], resources: ['*'],
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({ sid: 'AllowKeyUsersToDescribeKey', principals: [user], actions: ['kms:DescribeKey'], resources: ['*'] }));
}

function guardedKey(stack: Stack, id: string): void {
  new GuardedKey(stack, id, { admins: [new iam.ArnPrincipal(ADMIN)], users: [new iam.ArnPrincipal(USER)] });
}

/** Builds and synthesizes one app of `KEYS` keys. */
function synth(kind: 'plain' | 'guarded', guarding: Guarding): void {
  const outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-synth-'));
  try {
    const app = newApp(outdir, guarding);
    const stack = new Stack(app, 'Keys', { env: ENV });
    if (guarding === 'aspect') Aspects.of(app).add(new KeyGuard());
    for (let i = 0; i < KEYS; i++) (kind === 'plain' ? plainKey : guardedKey)(stack, `Key${i}`);
    app.synth();
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const CONTENDERS = [
  { name: 'plain', run: () => synth('plain', 'none') },
  { name: 'guarded', run: () => synth('guarded', 'none') },
  { name: 'guarded+KeyGuard', run: () => synth('guarded', 'aspect') },
  { name: 'guarded+plugin', run: () => synth('guarded', 'plugin') },
  { name: 'plain+KeyGuard', run: () => synth('plain', 'aspect') },
];

async function main(): Promise<void> {
  const only = process.env.BENCH_PROFILE;
  if (only) {
    const contender = CONTENDERS.find(c => c.name === only)!;
    for (let i = 0; i < Number(process.env.BENCH_PROFILE_RUNS ?? 3); i++) contender.run();
    return;
  }
  // A sample is one synth, under half a second: with REPS (5) samples the medians moved by ±5% between runs of the same
  // code (KeyGuard 1.19–1.32x in three runs), so the full run takes three times as many.
  const reps = QUICK ? 3 : 3 * REPS;
  process.stdout.write(`synthesis of ${KEYS} keys in one stack: ${reps} interleaved samples of one synth each; CPU ms per synth, median (min–max)\n`);
  // One synth per sample: a synth of 500 keys takes seconds, so the budget is the one operation.
  const s = await interleave(CONTENDERS, 0, reps, 1);
  const ms = (name: string) => s.get(name)!.perCpuSecond.map(rate => 1000 / rate);
  const m = (name: string) => median(ms(name));
  const rows = [['contender', 'CPU ms per synth', 'vs plain']];
  for (const c of CONTENDERS) rows.push([c.name, summary(ms(c.name)), ratio(m(c.name), m('plain'))]);
  printTable(rows);
  addSummary(`synth ${KEYS} GuardedKeys vs plain kms.Keys (CPU time)`, `${m('guarded').toFixed(0)} ms`, `${m('plain').toFixed(0)} ms`, ratio(m('guarded'), m('plain')), '<= 1.2x');
  addSummary(`synth ${KEYS} GuardedKeys + KeyGuard vs plain kms.Keys`, `${m('guarded+KeyGuard').toFixed(0)} ms`, `${m('plain').toFixed(0)} ms`,
    ratio(m('guarded+KeyGuard'), m('plain')), '<= 1.3x');
  addSummary(`synth ${KEYS} GuardedKeys + validation plugin vs plain kms.Keys`, `${m('guarded+plugin').toFixed(0)} ms`, `${m('plain').toFixed(0)} ms`,
    ratio(m('guarded+plugin'), m('plain')), '<= 1.3x');
}

main().catch(err => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
