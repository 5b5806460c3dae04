import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { asymmetricKeyProps } from './signing-key';
import { validationErrorFor } from '../private/errors';

/** RSA specs KMS offers for ENCRYPT_DECRYPT. */
export const RSA_ENCRYPTION_KEY_SPECS: readonly kms.KeySpec[] = [kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096];

/**
 * Properties of an {@link RsaEncryptionKey}.
 *
 * @example
 * const props: RsaEncryptionKeyProps = { keySpec: kms.KeySpec.RSA_4096, admins: [operators], encryptors: [ingestRole], decryptors: [appRole] };
 * new RsaEncryptionKey(this, 'ArchiveKey', props);
 */
export interface RsaEncryptionKeyProps extends GuardedKeyCommonProps {
  /**
   * The RSA key spec: RSA_3072 or RSA_4096, or RSA_2048 with `allowRsa2048`.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default KeySpec.RSA_3072
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Allow RSA_2048 for encryption. Refused by default, as AWS Control Tower's CT.KMS.PR.2 expects
   * (RSA keys used for encryption should be at least 3072 bits).
   *
   * @default false
   */
  readonly allowRsa2048?: boolean;

  /**
   * Principals that encrypt (`kms:Encrypt`, `kms:GetPublicKey` to encrypt offline, `kms:DescribeKey`).
   *
   * @default - No encryptor in the key policy.
   */
  readonly encryptors?: iam.IPrincipal[];

  /**
   * Principals that decrypt (`kms:Decrypt`, `kms:DescribeKey`).
   *
   * @default - No decryptor in the key policy.
   */
  readonly decryptors?: iam.IPrincipal[];
}

/**
 * An asymmetric RSA `ENCRYPT_DECRYPT` key with encryptors and decryptors separated. KMS has no automatic
 * rotation for asymmetric keys: rotate by creating a new key and moving an alias to it.
 *
 * @resource AWS::KMS::Key
 *
 * @example
 * // Partners encrypt with the public key outside AWS; only the app decrypts, inside.
 * new RsaEncryptionKey(this, 'EscrowKey', {
 *   keySpec: kms.KeySpec.RSA_3072,
 *   admins: [operators],
 *   encryptors: [ingestRole],
 *   decryptors: [appRole],
 * });
 */
export class RsaEncryptionKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: RsaEncryptionKeyProps = {}) {
    super(scope, id, props, rsaKeyProps(scope, id, props));
    this._addMembers('encryptor', props.encryptors);
    this._addMembers('decryptor', props.decryptors);
  }
}

function rsaKeyProps(scope: Construct, id: string, props: RsaEncryptionKeyProps): kms.KeyProps {
  const keySpec = props.keySpec ?? kms.KeySpec.RSA_3072;
  if (keySpec === kms.KeySpec.RSA_2048 && !props.allowRsa2048) {
    throw validationErrorFor(scope, id, "'keySpec' RSA_2048 is refused for encryption (CT.KMS.PR.2 expects at least 3072 bits): use RSA_3072 or RSA_4096, or set 'allowRsa2048'");
  }
  return asymmetricKeyProps(scope, id, 'keySpec', keySpec, RSA_ENCRYPTION_KEY_SPECS, 'an RsaEncryptionKey', kms.KeyUsage.ENCRYPT_DECRYPT, props);
}
