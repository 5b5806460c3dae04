import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { oneOf } from './validate-props';
import { validationErrorFor } from '../private/errors';

/** The key specs KMS offers for SIGN_VERIFY (SM2 is China Regions only and left out). */
export const SIGNING_KEY_SPECS: readonly kms.KeySpec[] = [
  kms.KeySpec.RSA_2048, kms.KeySpec.RSA_3072, kms.KeySpec.RSA_4096,
  kms.KeySpec.ECC_NIST_P256, kms.KeySpec.ECC_NIST_P384, kms.KeySpec.ECC_NIST_P521, kms.KeySpec.ECC_SECG_P256K1,
];

/**
 * Properties of a {@link SigningKey}.
 */
export interface SigningKeyProps extends GuardedKeyCommonProps {
  /**
   * The asymmetric key spec: RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521 or
   * ECC_SECG_P256K1.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default KeySpec.ECC_NIST_P256
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Principals that sign (`kms:Sign`, `kms:DescribeKey`), narrowed by `viaServices` and `callerAccounts`.
   *
   * @default - No signer in the key policy.
   */
  readonly signers?: iam.IPrincipal[];

  /**
   * Principals that verify (`kms:Verify`, `kms:GetPublicKey`, `kms:DescribeKey`): they cannot sign.
   *
   * @default - No verifier in the key policy.
   */
  readonly verifiers?: iam.IPrincipal[];
}

/**
 * An asymmetric `SIGN_VERIFY` KMS key with signers and verifiers separated, and admins separated from both.
 *
 * KMS has no automatic rotation for asymmetric keys, so this key has none: rotate by creating a new key and
 * moving an alias to it (verifiers keep the old key's public key for old signatures).
 *
 * @resource AWS::KMS::Key
 */
export class SigningKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: SigningKeyProps = {}) {
    super(scope, id, props, asymmetricKeyProps(scope, id, 'keySpec', props.keySpec ?? kms.KeySpec.ECC_NIST_P256,
      SIGNING_KEY_SPECS, 'a SigningKey', kms.KeyUsage.SIGN_VERIFY, props));
    this._addMembers('signer', props.signers);
    this._addMembers('verifier', props.verifiers);
  }
}

/**
 * Validates an asymmetric or HMAC key spec and refuses encryption-context requirements (those operations
 * carry no encryption context, so the condition could never match).
 */
export function asymmetricKeyProps(
  scope: Construct, id: string, prop: string, keySpec: kms.KeySpec, allowed: readonly kms.KeySpec[], what: string,
  keyUsage: kms.KeyUsage, props: object,
): kms.KeyProps {
  const problems = oneOf(prop, keySpec, allowed, what);
  if ('requiredEncryptionContext' in props) {
    problems.push(`'requiredEncryptionContext' is not supported by ${what}: its operations carry no encryption context`);
  }
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));
  return { keySpec, keyUsage, enableKeyRotation: false };
}
