import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROPS } from './handler/event';
import { checkEncryptionContext, checkGeneration, ValueResource } from './value-resource';

/**
 * Properties of a {@link DataKey}.
 *
 * @example
 * const key = new GuardedKey(this, 'AppKey', { admins: [operators] });
 * const props: DataKeyProps = { targetKey: key, encryptionContext: { app: 'billing', purpose: 'records' }, generation: 2 };
 * new DataKey(this, 'RecordsKey', props).grantOpen(fn);
 */
export interface DataKeyProps {
  /** The key the data key is generated under. Changing it rewraps the same data key to the new key. */
  readonly targetKey: kms.IKey;

  /**
   * Non-secret context bound to the data key by KMS; the handler's and readers' permissions are conditioned on it.
   * IMPORTANT: it cannot change without a new `generation`.
   * @default - no encryption context
   */
  readonly encryptionContext?: Record<string, string>;

  /**
   * A new data key is generated when, and only when, this changes.
   * @default 1
   */
  readonly generation?: number;

  /**
   * Keys the data key may be moving from (see `GeneratedSecretProps.previousTargetKeys`).
   * @default - none
   */
  readonly previousTargetKeys?: kms.IKey[];
}

/**
 * A 256-bit data key made by KMS GenerateDataKeyWithoutPlaintext, so the deploy-time Lambda never sees it,
 * returned as a data-key envelope that `open` reads (its plaintext is the data key).
 * @resource Custom::GuardedKeysDataKey
 *
 * @example
 * const key = new GuardedKey(this, 'AppKey', { admins: [operators], strict: true });
 * const records = new DataKey(this, 'RecordsKey', { targetKey: key, encryptionContext: { app: 'billing' } });
 * records.grantOpen(fn);                           // the app opens it once, then encrypts records locally
 * fn.addEnvironment('RECORDS_KEY', records.envelope);
 */
export class DataKey extends Construct {
  /** The data-key envelope (base64), a token. */
  public readonly envelope: string;
  /** The encryption context of the value (what `open` must expect). */
  public readonly encryptionContext: Record<string, string>;
  private readonly value: ValueResource;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    const context = checkEncryptionContext(this, props.encryptionContext);
    const generation = checkGeneration(this, props.generation);
    this.encryptionContext = context;
    this.value = new ValueResource(this, 'DataKey', props.targetKey, context, { [PROPS.generation]: generation });
    this.value.allowHandler(props.targetKey, ['kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo']);
    for (const previous of props.previousTargetKeys ?? []) this.value.allowHandler(previous, ['kms:ReEncryptFrom']);
    this.envelope = this.value.envelope;
  }

  /** Gives a principal what `open` needs: `kms:Decrypt` on the target key, with this value's encryption context. */
  public grantOpen(grantee: iam.IGrantable): iam.Grant {
    return this.value.grantOpen(grantee);
  }
}
