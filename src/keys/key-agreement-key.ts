import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { asymmetricKeyProps } from './signing-key';

/** The key specs KMS offers for KEY_AGREEMENT (SM2 is China Regions only and left out). */
export const KEY_AGREEMENT_KEY_SPECS: readonly kms.KeySpec[] = [kms.KeySpec.ECC_NIST_P256, kms.KeySpec.ECC_NIST_P384, kms.KeySpec.ECC_NIST_P521];

/**
 * Properties of a {@link KeyAgreementKey}.
 *
 * @example
 * const props: KeyAgreementKeyProps = { keySpec: kms.KeySpec.ECC_NIST_P384, admins: [operators], derivers: [appRole] };
 * new KeyAgreementKey(this, 'SessionAgreement', props);
 */
export interface KeyAgreementKeyProps extends GuardedKeyCommonProps {
  /**
   * The elliptic curve: ECC_NIST_P256, ECC_NIST_P384 or ECC_NIST_P521.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default KeySpec.ECC_NIST_P256
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-spec-ecc.html
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Principals that derive shared secrets with the private key (`kms:DeriveSharedSecret`, `kms:GetPublicKey`,
   * `kms:DescribeKey`), narrowed by `viaServices` and `callerAccounts`. The secret is as sensitive as a decrypted
   * plaintext: list only the party that owns this side of the agreement.
   *
   * @default - No deriver in the key policy.
   */
  readonly derivers?: iam.IPrincipal[];

  /**
   * Principals that only read the public key (`kms:GetPublicKey`, `kms:DescribeKey`), e.g. a peer that derives
   * the same secret with its own private key: they cannot derive through this key.
   *
   * @default - No public-key reader in the key policy.
   */
  readonly publicKeyReaders?: iam.IPrincipal[];
}

/**
 * An asymmetric `KEY_AGREEMENT` KMS key (ECDH with `DeriveSharedSecret`) whose derivers are separated from the
 * principals that only read its public key, and admins from both. KMS cannot rotate asymmetric keys, so this key
 * has no rotation.
 *
 * @resource AWS::KMS::Key
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html
 *
 * @example
 * // The app derives shared secrets (DeriveSharedSecret); the ingest role may only read the public key.
 * new KeyAgreementKey(this, 'DeviceAgreement', {
 *   keySpec: kms.KeySpec.ECC_NIST_P256,
 *   admins: [operators],
 *   derivers: [appRole],
 *   publicKeyReaders: [ingestRole],
 * });
 */
export class KeyAgreementKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: KeyAgreementKeyProps = {}) {
    super(scope, id, props, asymmetricKeyProps(scope, id, 'keySpec', props.keySpec ?? kms.KeySpec.ECC_NIST_P256,
      KEY_AGREEMENT_KEY_SPECS, 'a KeyAgreementKey', kms.KeyUsage.KEY_AGREEMENT, props));
    this._addMembers('deriver', props.derivers);
    this._addMembers('publicKeyReader', props.publicKeyReaders);
  }
}
