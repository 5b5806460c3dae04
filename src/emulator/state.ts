/**
 * What the emulator remembers: keys (one record per key per region: a multi-Region key has a record in its
 * primary's region and one per replica, sharing the key ID and material), aliases and grants; and, for local
 * deployments, the principals registered through the admin API and each deployed stack's state.
 * Records are plain JSON so the journal can write them as they are. Replay accepts exactly these fields
 * (journal-entry.ts, held to these types by the compiler): a field added here must be given a shape there.
 * @module
 */
import type { PrincipalConfig } from './config';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
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
}

export interface KeyRecord {
  readonly keyId: string;
  readonly account: string;
  readonly region: string;
  readonly arn: string;
  readonly keySpec: KeySpecName;
  readonly keyUsage: KeyUsageName;
  readonly origin: 'AWS_KMS';
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
