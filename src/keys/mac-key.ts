import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { asymmetricKeyProps } from './signing-key';

/** The HMAC key specs KMS offers. */
export const MAC_KEY_SPECS: readonly kms.KeySpec[] = [kms.KeySpec.HMAC_224, kms.KeySpec.HMAC_256, kms.KeySpec.HMAC_384, kms.KeySpec.HMAC_512];

/**
 * Properties of a {@link MacKey}.
 *
 * @example
 * const props: MacKeyProps = { keySpec: kms.KeySpec.HMAC_512, admins: [operators], generators: [ingestRole], verifiers: [appRole] };
 * new MacKey(this, 'TokenMac', props);
 */
export interface MacKeyProps extends GuardedKeyCommonProps {
  /**
   * The HMAC key spec: HMAC_224, HMAC_256, HMAC_384 or HMAC_512.
   *
   * IMPORTANT: changing this replaces the key.
   *
   * @default KeySpec.HMAC_256
   */
  readonly keySpec?: kms.KeySpec;

  /**
   * Principals that generate MACs (`kms:GenerateMac`, `kms:DescribeKey`), narrowed by `viaServices` and
   * `callerAccounts`.
   *
   * @default - No generator in the key policy.
   */
  readonly generators?: iam.IPrincipal[];

  /**
   * Principals that verify MACs (`kms:VerifyMac`, `kms:DescribeKey`): they cannot generate one.
   *
   * @default - No verifier in the key policy.
   */
  readonly verifiers?: iam.IPrincipal[];
}

/**
 * An HMAC `GENERATE_VERIFY_MAC` KMS key with generators and verifiers separated. KMS cannot rotate HMAC
 * keys, so this key does not pretend to: rotate by creating a new key and moving an alias to it.
 *
 * @resource AWS::KMS::Key
 *
 * @example
 * // Webhooks are signed by the ingest role and checked by the app; neither can do the other's part.
 * new MacKey(this, 'WebhookMac', {
 *   keySpec: kms.KeySpec.HMAC_256,
 *   admins: [operators],
 *   generators: [ingestRole],
 *   verifiers: [appRole],
 * });
 */
export class MacKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: MacKeyProps = {}) {
    super(scope, id, props, asymmetricKeyProps(scope, id, 'keySpec', props.keySpec ?? kms.KeySpec.HMAC_256,
      MAC_KEY_SPECS, 'a MacKey', kms.KeyUsage.GENERATE_VERIFY_MAC, props));
    this._addMembers('macGenerator', props.generators);
    this._addMembers('macVerifier', props.verifiers);
  }
}
