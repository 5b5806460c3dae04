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
 * Signing key specs KMS offers that `kms.KeySpec` of aws-cdk-lib 2.189 (the floor of this package's peer range)
 * lacks. A jsii enum rather than a string-literal type (jsii has none), so every language gets the same checked
 * names; the value is set on the `AWS::KMS::Key` resource directly.
 */
export enum NewerSigningKeySpec {
  /** ML-DSA-44 (FIPS 204), post-quantum; signing algorithm ML_DSA_SHAKE_256. */
  ML_DSA_44 = 'ML_DSA_44',
  /** ML-DSA-65 (FIPS 204), post-quantum; signing algorithm ML_DSA_SHAKE_256. */
  ML_DSA_65 = 'ML_DSA_65',
  /** ML-DSA-87 (FIPS 204), post-quantum; signing algorithm ML_DSA_SHAKE_256. */
  ML_DSA_87 = 'ML_DSA_87',
  /** Ed25519; signing algorithms ED25519_SHA_512 (MessageType RAW) and ED25519_PH_SHA_512 (MessageType DIGEST). */
  ECC_NIST_EDWARDS25519 = 'ECC_NIST_EDWARDS25519',
}

/**
 * Properties of a {@link SigningKey}.
 *
 * @example
 * // A post-quantum signing key (ML-DSA), set on the CfnKey where aws-cdk-lib's KeySpec lacks it.
 * const props: SigningKeyProps = {
 *   newerKeySpec: NewerSigningKeySpec.ML_DSA_65,
 *   admins: [operators],
 *   signers: [ingestRole],
 *   verifiers: [appRole],
 * };
 * new SigningKey(this, 'ArtifactSigning', props);
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
   * A key spec newer than aws-cdk-lib's `kms.KeySpec` enum: ML-DSA (post-quantum) or Ed25519. Set instead of
   * `keySpec` (not both); written to the `AWS::KMS::Key`'s `KeySpec` property as it is.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default - `keySpec` decides.
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
   */
  readonly newerKeySpec?: NewerSigningKeySpec;

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
 *
 * @example
 * const key = new SigningKey(this, 'ReleaseSigning', {
 *   keySpec: kms.KeySpec.ECC_NIST_P256,
 *   aliases: ['release/signing'],
 *   admins: [operators],
 *   signers: [ingestRole],   // kms:Sign only
 * });
 * key.grantVerify(appRole);  // kms:Verify and kms:GetPublicKey only
 */
export class SigningKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: SigningKeyProps = {}) {
    super(scope, id, props, signingKeyProps(scope, id, props));
    // aws-cdk-lib's Key takes only its own enum: the newer spec goes on the resource (the L2 reads keySpec for
    // nothing else than this property and its usage check, which a SIGN_VERIFY P-256 stand-in passes).
    if (props.newerKeySpec) (this.node.defaultChild as kms.CfnKey).keySpec = props.newerKeySpec;
    this._addMembers('signer', props.signers);
    this._addMembers('verifier', props.verifiers);
  }
}

function signingKeyProps(scope: Construct, id: string, props: SigningKeyProps): kms.KeyProps {
  if (props.newerKeySpec !== undefined && props.keySpec !== undefined) {
    throw validationErrorFor(scope, id, `'keySpec' and 'newerKeySpec' cannot both be set: choose one. Received: ${props.keySpec} and ${props.newerKeySpec}`);
  }
  if (props.newerKeySpec !== undefined && !Object.values(NewerSigningKeySpec).includes(props.newerKeySpec)) {
    throw validationErrorFor(scope, id, `'newerKeySpec' must be one of ${Object.values(NewerSigningKeySpec).join(', ')}. Received: ${props.newerKeySpec}`);
  }
  const keySpec = props.newerKeySpec !== undefined ? kms.KeySpec.ECC_NIST_P256 : props.keySpec ?? kms.KeySpec.ECC_NIST_P256;
  return asymmetricKeyProps(scope, id, 'keySpec', keySpec, SIGNING_KEY_SPECS, 'a SigningKey', kms.KeyUsage.SIGN_VERIFY, props);
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
