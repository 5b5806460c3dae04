import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROPS } from './handler/event';
import { checkEncryptionContext, checkGeneration, ValueResource } from './value-resource';

/** Properties of a {@link DataKey}. */
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
