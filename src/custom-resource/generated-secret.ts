import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROPS } from './handler/event';
import { MAX_ALPHABET, MAX_SECRET_LENGTH, MIN_ALPHABET, MIN_SECRET_LENGTH } from './handler/secret';
import { checkEncryptionContext, checkGeneration, ValueResource } from './value-resource';
import { validationError } from '../private/errors';

/**
 * Properties of a {@link GeneratedSecret}.
 *
 * @example
 * // A key migration: the secret moves to the new key (one ReEncrypt) and keeps its value.
 * const oldKey = new GuardedKey(this, 'AppKey', { admins: [operators] });
 * const newKey = new MultiRegionKey(this, 'AppKeyMultiRegion', { admins: [operators] });
 * const props: GeneratedSecretProps = {
 *   targetKey: newKey,
 *   previousTargetKeys: [oldKey],
 *   encryptionContext: { app: 'billing' },
 *   length: 64,
 *   alphabet: 'abcdefghijklmnopqrstuvwxyz0123456789',
 * };
 * new GeneratedSecret(this, 'ApiToken', props).grantOpen(fn);
 */
export interface GeneratedSecretProps {
  /** The key the secret is sealed under. Changing it rewraps the same secret to the new key. */
  readonly targetKey: kms.IKey;

  /**
   * Non-secret context bound to the secret by KMS; the handler's and readers' permissions are conditioned on it.
   * IMPORTANT: it cannot change without a new `generation` (the deployment fails rather than lose the value).
   * @default - no encryption context
   */
  readonly encryptionContext?: Record<string, string>;

  /**
   * Characters of the secret (or bytes, with `rawBytes`), from 8 to 4096.
   * @default 32
   */
  readonly length?: number;

  /**
   * The characters to draw from, uniformly (2 to 256 distinct characters).
   * @default - A-Z, a-z and 0-9
   */
  readonly alphabet?: string;

  /**
   * Random bytes instead of characters (`alphabet` must not be set).
   * @default false
   */
  readonly rawBytes?: boolean;

  /**
   * The secret is generated again when, and only when, this changes (length and alphabet apply from the next
   * generation).
   * @default 1
   */
  readonly generation?: number;

  /**
   * Keys the secret may be moving from: when `targetKey` changes, list the old key here for that deployment, so
   * the handler may `kms:ReEncryptFrom` it.
   * @default - none
   */
  readonly previousTargetKeys?: kms.IKey[];
}

/**
 * A random secret generated inside the deploy-time Lambda and sealed under the target key: it never appears in a
 * template, a log, a response or a CloudFormation event.
 * @resource Custom::GuardedKeysGeneratedSecret
 *
 * @example
 * const key = new GuardedKey(this, 'AppKey', { admins: [operators], strict: true });
 * const session = new GeneratedSecret(this, 'SessionSecret', {
 *   targetKey: key,
 *   encryptionContext: { app: 'billing' },
 *   length: 48,
 *   generation: 1,                                 // change it to get a new secret
 * });
 * session.grantOpen(fn);
 * fn.addEnvironment('SESSION_SECRET', session.envelope);
 */
export class GeneratedSecret extends Construct {
  /** The envelope of the secret (base64), a token. */
  public readonly envelope: string;
  /** The encryption context of the value (what `open` must expect). */
  public readonly encryptionContext: Record<string, string>;
  private readonly value: ValueResource;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    const context = checkEncryptionContext(this, props.encryptionContext);
    const generation = checkGeneration(this, props.generation);
    const spec = checkSecretSpec(this, props);
    this.encryptionContext = context;
    this.value = new ValueResource(this, 'GeneratedSecret', props.targetKey, context, { [PROPS.generation]: generation, ...spec });
    this.value.allowHandler(props.targetKey, ['kms:GenerateDataKey', 'kms:ReEncryptTo']);
    for (const previous of props.previousTargetKeys ?? []) this.value.allowHandler(previous, ['kms:ReEncryptFrom']);
    this.envelope = this.value.envelope;
  }

  /** Gives a principal what `open` needs: `kms:Decrypt` on the target key, with this value's encryption context. */
  public grantOpen(grantee: iam.IGrantable): iam.Grant {
    return this.value.grantOpen(grantee);
  }
}

function checkSecretSpec(scope: Construct, props: GeneratedSecretProps): Record<string, string> {
  const problems: string[] = [];
  const length = props.length ?? 32;
  if (!Token.isUnresolved(length) && (!Number.isInteger(length) || length < MIN_SECRET_LENGTH || length > MAX_SECRET_LENGTH)) {
    problems.push(`length must be an integer from ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH}. Received: ${length}`);
  }
  if (props.alphabet !== undefined) {
    const symbols = [...props.alphabet];
    if (props.rawBytes) problems.push('alphabet and rawBytes exclude each other: raw bytes have no alphabet');
    if (symbols.length < MIN_ALPHABET || symbols.length > MAX_ALPHABET) {
      problems.push(`alphabet must have ${MIN_ALPHABET} to ${MAX_ALPHABET} characters. Received: ${symbols.length}`);
    } else if (new Set(symbols).size !== symbols.length) {
      problems.push('alphabet must not repeat a character (a repeated one would be drawn more often)');
    }
  }
  if (problems.length) throw validationError(scope, problems.join('; '));
  return {
    [PROPS.length]: String(length),
    ...(props.alphabet !== undefined ? { [PROPS.alphabet]: props.alphabet } : {}),
    ...(props.rawBytes ? { [PROPS.rawBytes]: 'true' } : {}),
  };
}
