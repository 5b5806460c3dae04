import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROPS } from './handler/event';
import { checkEncryptionContext, ValueResource } from './value-resource';
import { parseEnvelope, ParsedEnvelope } from '../envelope/format';
import { validationError } from '../private/errors';

/**
 * Properties of a {@link SealedValue}.
 *
 * @example
 * const key = new GuardedKey(this, 'AppKey', { admins: [operators], strict: true });
 * const props: SealedValueProps = {
 *   // guarded-keys seal --key alias/sealing --context app=billing < password.txt | base64 -w0
 *   envelope: sealedPassword,
 *   targetKey: key,
 *   encryptionContext: { app: 'billing' },
 * };
 * new SealedValue(this, 'DbPassword', props).grantOpen(fn);
 */
export interface SealedValueProps {
  /**
   * The envelope made by `guarded-keys seal` under a sealing key, in base64 (`guarded-keys seal ... | base64 -w0`):
   * safe to commit, since only KMS can open it. It is read at synth (its context and wrapping key), so it must be a literal string.
   */
  readonly envelope: string;

  /**
   * The key the value is rewrapped to at deploy time (a guarded key or any `IKey`, in this or another account or
   * region). Changing it rewraps the same value to the new key.
   */
  readonly targetKey: kms.IKey;

  /**
   * The encryption context the envelope must carry; synth fails if it carries another.
   * @default - the envelope's own context
   */
  readonly encryptionContext?: Record<string, string>;

  /**
   * The key the envelope is sealed under, on which the handler needs `kms:ReEncryptFrom`.
   * @default - the key named by the envelope's first wrapped key, imported by its ARN
   */
  readonly sealingKey?: kms.IKey;
}

/**
 * A value sealed ahead of time (`guarded-keys seal`) and rewrapped to a target key at deploy time with one KMS
 * ReEncrypt: no plaintext exists in the template, the pipeline or the handler.
 * @resource Custom::GuardedKeysSealedValue
 *
 * @example
 * const key = new GuardedKey(this, 'AppKey', { admins: [operators], strict: true });
 * const password = new SealedValue(this, 'DbPassword', {
 *   // guarded-keys seal --key alias/sealing --context app=billing < password.txt | base64 -w0
 *   envelope: sealedPassword,
 *   targetKey: key,
 *   encryptionContext: { app: 'billing' },
 * });
 * password.grantOpen(fn);                          // kms:Decrypt on the key, with the value's context only
 * fn.addEnvironment('DB_PASSWORD', password.envelope);
 */
export class SealedValue extends Construct {
  /** The envelope under the target key (base64), a token for environment variables, parameters and outputs. */
  public readonly envelope: string;
  /** The encryption context of the value (what `open` must expect). */
  public readonly encryptionContext: Record<string, string>;
  private readonly value: ValueResource;

  constructor(scope: Construct, id: string, props: SealedValueProps) {
    super(scope, id);
    const parsed = readEnvelope(this, props.envelope);
    const declared = props.encryptionContext === undefined ? undefined : checkEncryptionContext(this, props.encryptionContext);
    const context = parsed.header.encryptionContext;
    if (declared && !sameContext(declared, context)) {
      throw validationError(this, `encryptionContext must be the envelope's. Received: ${JSON.stringify(sortedKeys(declared))}; `
        + `the envelope carries ${JSON.stringify(sortedKeys(context))}`);
    }
    this.encryptionContext = context;
    this.value = new ValueResource(this, 'SealedValue', props.targetKey, context, { [PROPS.envelope]: props.envelope.trim() });
    const sealingKey = props.sealingKey ?? kms.Key.fromKeyArn(this, 'SealingKey', parsed.wrappedKeys[0].keyId);
    this.value.allowHandler(sealingKey, ['kms:ReEncryptFrom']);
    this.value.allowHandler(props.targetKey, ['kms:ReEncryptTo']);
    this.envelope = this.value.envelope;
  }

  /** Gives a principal what `open` needs: `kms:Decrypt` on the target key, with this value's encryption context. */
  public grantOpen(grantee: iam.IGrantable): iam.Grant {
    return this.value.grantOpen(grantee);
  }
}

function readEnvelope(scope: Construct, envelope: string): ParsedEnvelope {
  if (Token.isUnresolved(envelope)) throw validationError(scope, 'envelope must be a literal string (it is read at synth). Received: a token');
  if (typeof envelope !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(envelope.trim())) {
    throw validationError(scope, 'envelope must be base64 (`guarded-keys seal ... | base64 -w0`)');
  }
  try {
    return parseEnvelope(new Uint8Array(Buffer.from(envelope.trim(), 'base64')));
  } catch (err) {
    throw validationError(scope, `envelope is not an envelope of this library: ${(err as Error).message}`);
  }
}

function sameContext(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function sortedKeys(context: Record<string, string>): string[] {
  return Object.keys(context).sort();
}
