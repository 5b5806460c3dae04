/**
 * The deploy-time values part of `npm run demo`: the values app of integ.values.ts deployed into the emulator (its
 * keys, then a value sealed by the Sealer role as `guarded-keys seal` would, then the three custom resources, which
 * run the bundled handler as its own role), and each value opened as the application would open it: the envelope
 * core's `open`, with the application role's credentials, through the emulator. Every other role of the app tries
 * the same and is refused.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildValuesApp, VALUES_CONTEXT, ValuesAppOptions } from './integ.values';
import { RunningEmulator } from '../src/emulator';
import { EnvelopeError, KmsAccessError, open, seal } from '../src/envelope';
import { wipe } from '../src/envelope/bytes';
import { deployLocally, LocalDeployment } from '../src/local';

/** The value the demo seals: it stands for a password a team commits, sealed, to its repository. */
const DEMO_SECRET = 'correct horse battery staple';

/** The construct each value of the app is, for the report. */
const VALUES = [
  { id: 'DatabasePassword', construct: 'SealedValue', what: 'sealed by Sealer under SealingKey, rewrapped at deploy time' },
  { id: 'SessionSecret', construct: 'GeneratedSecret', what: 'generated and sealed by the handler at deploy time' },
  { id: 'RecordsKey', construct: 'DataKey', what: 'a data key from GenerateDataKeyWithoutPlaintext' },
] as const;

/** One attempt to open a value. */
export interface OpenAttempt {
  readonly value: string;
  readonly principal: string;
  /** Bytes of plaintext when the open succeeded. */
  readonly bytes?: number;
  /** The envelope error's message when it did not. */
  readonly refused?: string;
}

/** The values app as deployed, for the report. */
export interface DeployedValues {
  readonly assembly: CloudAssembly;
  readonly deployment: LocalDeployment;
  /** Removes the synthesized assemblies. */
  readonly dispose: () => void;
}

/** Deploys the values app in its two steps: keys (so there is a key to seal under), then the values. */
export async function deployValuesApp(emulator: RunningEmulator): Promise<DeployedValues> {
  const outdirs: string[] = [];
  const synth = (options: ValuesAppOptions) => {
    const outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-demo-'));
    outdirs.push(outdir);
    return buildValuesApp(options, new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
  };
  const dispose = () => outdirs.forEach(dir => rmSync(dir, { recursive: true, force: true }));
  try {
    const keys = await deployLocally(synth({}).directory, { emulator });
    let envelope: string;
    try {
      const sealed = await seal(Buffer.from(DEMO_SECRET), {
        keyIds: [keys.key('SealingKey').arn], encryptionContext: VALUES_CONTEXT, kms: keys.clientFor('Sealer'),
      });
      envelope = Buffer.from(sealed).toString('base64');
    } finally {
      keys.close();
    }
    const assembly = synth({ envelope });
    return { assembly, deployment: await deployLocally(assembly.directory, { emulator }), dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/** Opens each value as every role of the app: the application role must succeed, every other must be refused. */
export async function openValues(deployment: LocalDeployment): Promise<OpenAttempt[]> {
  const attempts: OpenAttempt[] = [];
  const targetKey = deployment.key('TargetKey').arn;
  for (const value of VALUES) {
    const resource = deployment.resources.find(r => r.path === value.id && r.type.startsWith('Custom::GuardedKeys'));
    if (!resource) throw new Error(`the deployment has no custom resource for ${value.id}`);
    const envelope = Buffer.from(String(resource.attributes.Envelope), 'base64');
    for (const principal of deployment.principals) {
      const name = principal.path ?? principal.logicalId;
      try {
        // As the application opens it: its own credentials, the key and context it expects (docs/custom-resource.md).
        const { plaintext } = await open(envelope, {
          kms: deployment.clientFor(principal), expect: { keyIds: [targetKey], encryptionContext: VALUES_CONTEXT },
        });
        try {
          if (value.id === 'DatabasePassword' && Buffer.from(plaintext).toString() !== DEMO_SECRET) {
            throw new Error(`${name} opened ${value.id} to something else than the sealed value`);
          }
          attempts.push({ value: value.id, principal: name, bytes: plaintext.length });
        } finally {
          wipe(plaintext); // the demo shows only that it opened, and its length
        }
      } catch (err) {
        if (!(err instanceof EnvelopeError)) throw err;
        attempts.push({ value: value.id, principal: name, refused: shortReason(err) });
      }
    }
  }
  return attempts;
}

/** `AccessDeniedException: ... with an explicit deny in a resource-based policy`, without the ARNs between. */
function shortReason(err: EnvelopeError): string {
  if (!(err instanceof KmsAccessError)) return err.message;
  const why = / on resource: \S+ (.*)$/.exec(err.message)?.[1];
  return why ? `${err.kmsError}, ${why}` : err.message;
}

/** The attempts, one line each, under a title per value. */
export function renderOpenAttempts(attempts: readonly OpenAttempt[]): string {
  const title = `Values — each value opened with the envelope core (open) as each role, through the emulator; the key is TargetKey, the context ${JSON.stringify(VALUES_CONTEXT)}`;
  const sections = VALUES.map(value => {
    const lines = [`Values/${value.id} (${value.construct}: ${value.what})`];
    for (const a of attempts.filter(x => x.value === value.id)) {
      const extra = value.id === 'DatabasePassword' ? ', the sealed value' : '';
      lines.push(`  ${a.principal}: ${a.refused === undefined ? `opens it (${a.bytes} bytes${extra})` : `refused — ${a.refused}`}`);
    }
    return lines.join('\n');
  });
  return [title, ...sections].join('\n\n');
}
