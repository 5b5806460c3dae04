/**
 * What the emulator remembers: keys (one record per key per region: a multi-Region key has a record in its
 * primary's region and one per replica, sharing the key ID and material), aliases and grants; and, for local
 * deployments, the principals registered through the admin API and each deployed stack's state.
 * Records are plain JSON so the journal can write them as they are. Replay accepts exactly these fields
 * (journal-entry.ts, held to these types by the compiler): a field added here must be given a shape there.
 * @module
 */
import type { PrincipalConfig } from './config';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
export type ExpirationModelName = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
export type WrappingAlgorithmName = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export type WrappingKeySpecName = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';
export type KeySpecName =
  | 'SYMMETRIC_DEFAULT' | 'RSA_2048' | 'RSA_3072' | 'RSA_4096'
  | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1'
  | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'
  | 'ECC_NIST_EDWARDS25519' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87';
export type KeyUsageName = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT';

/** One version of a key's material. Symmetric and HMAC keys gain one per rotation; asymmetric keys have one. */
export interface KeyMaterial {
  /** 32 hex characters; symmetric ciphertext names the material that made it. */
  readonly id: string;
  /** Base64 secret bytes (symmetric, HMAC) or a PKCS#8 PEM private key (asymmetric; ML-DSA in its seed form). */
  readonly secret: string;
  readonly createdAt: number;
  /** How this version came to be (the first has none). */
  readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND';
  /**
   * Imported material (Origin EXTERNAL) only: `PENDING_IMPORT` once deleted or expired (then `secret` is empty;
   * the id stays, so the same material can be imported again and old ciphertext decrypts).
   */
  readonly importState?: 'IMPORTED' | 'PENDING_IMPORT';
  readonly expirationModel?: ExpirationModelName;
  /** Epoch ms at which imported material expires (with `KEY_MATERIAL_EXPIRES`). */
  readonly validTo?: number;
}

/** The wrapping key and token of the last GetParametersForImport (Origin EXTERNAL). */
export interface ImportParameters {
  /** Base64 import token. */
  readonly token: string;
  /** PKCS#8 PEM of the RSA wrapping key (a secret, like the key material beside it). */
  readonly privateKey: string;
  readonly wrappingAlgorithm: WrappingAlgorithmName;
  readonly wrappingKeySpec: WrappingKeySpecName;
  /** Epoch ms after which the token and public key are refused (24 hours, as in KMS). */
  readonly validTo: number;
}

export interface KeyRecord {
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  readonly arn: string;
  readonly keySpec: KeySpecName;
  readonly keyUsage: KeyUsageName;
  readonly origin: 'AWS_KMS' | 'EXTERNAL';
  /** `AWS` for an AWS managed key (aws-managed-keys.ts); absent for customer managed keys. */
  readonly keyManager?: 'AWS';
  description: string;
  state: KeyState;
  /** Before pending deletion, so CancelKeyDeletion can tell what to restore (KMS restores Disabled). */
  readonly createdAt: number;
  deletionDate?: number;
  pendingWindowInDays?: number;
  policy: string;
  tags: Record<string, string>;
  rotation: { enabled: boolean; periodDays: number; nextRotationDate?: number };
  materials: KeyMaterial[];
  /** Origin EXTERNAL: material imported with `ImportType NEW_KEY_MATERIAL`, current after RotateKeyOnDemand. */
  pendingRotation?: KeyMaterial;
  /** Origin EXTERNAL: what GetParametersForImport last handed out. */
  importParameters?: ImportParameters;
  readonly multiRegion: boolean;
  multiRegionKeyType?: 'PRIMARY' | 'REPLICA';
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly account: string;
  readonly region: string;
  targetKeyId: string;
  readonly createdAt: number;
  lastUpdatedAt: number;
}

export interface GrantRecordStored {
  readonly grantId: string;
  readonly grantToken: string;
  readonly keyArn: string;
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  readonly issuingAccount: string;
  readonly operations: string[];
  readonly constraints?: { encryptionContextEquals?: Record<string, string>; encryptionContextSubset?: Record<string, string> };
  readonly name?: string;
  readonly createdAt: number;
}

/** A principal registered at run time (admin API or `addPrincipal`), kept so a restart still knows it. */
export type PrincipalRecord = PrincipalConfig;

/**
 * What a local deployment remembers of one stack (CloudFormation's view of it: resources, physical ids, last
 * properties, outputs). The emulator keeps it opaque: `src/local/` defines and reads `state`.
 */
export interface StackRecord {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly state: unknown;
}

/** Where a stack's state lives: stacks are per account and region. */
export function stackSlot(account: string, region: string, stackName: string): string {
  return `${account}/${region}/${stackName}`;
}

/** Where a key record lives in the maps: account, region and key id. */
export function keySlot(account: string, region: string, keyId: string): string {
  return `${account}/${region}/${keyId}`;
}

/** Where an alias lives: aliases are per account and region. */
export function aliasSlot(account: string, region: string, aliasName: string): string {
  return `${account}/${region}/${aliasName}`;
}
