import { KEY_AGREEMENT_ALGORITHMS, MAC_ALGORITHM, RSA_ENCRYPTION_ALGORITHMS, signingAlgorithmsOf } from './crypto/asymmetric';
import { sha256Hex } from './crypto/sha256';
import { KeyMaterial, KeyRecord } from './state';
import { Store } from './store';

/** KMS returns timestamps as epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/**
 * A key material's id as KMS shows it (`CurrentKeyMaterialId`, `KeyMaterialId`): 64 hex digits. The emulator's
 * own material id (16 bytes, written in every ciphertext) is hashed to that form, so it is stable and the same in
 * every region of a multi-Region key.
 */
export function keyMaterialId(material: KeyMaterial): string {
  return sha256Hex(`guarded-keys key material ${material.id}`);
}

/** Symmetric keys rotate, so KMS names their current material (the newest version). */
function currentKeyMaterialId(key: KeyRecord): string | undefined {
  const current = key.materials[key.materials.length - 1]; // none yet for a key awaiting its first import
  return key.keySpec === 'SYMMETRIC_DEFAULT' && current ? keyMaterialId(current) : undefined;
}

/** The KeyMetadata KMS returns for a key (DescribeKey, CreateKey, ReplicateKey). */
export function keyMetadata(key: KeyRecord, store: Store): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: key.origin,
    KeyManager: key.keyManager ?? 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    MultiRegion: key.multiRegion,
  };
  const current = currentKeyMaterialId(key);
  if (current) metadata.CurrentKeyMaterialId = current;
  if (key.origin === 'EXTERNAL') {
    const material = key.materials[key.materials.length - 1];
    if (material?.importState === 'IMPORTED') {
      metadata.ExpirationModel = material.expirationModel;
      if (material.validTo !== undefined) metadata.ValidTo = epochSeconds(material.validTo);
    }
  }
  if (key.deletionDate !== undefined) {
    metadata.DeletionDate = epochSeconds(key.deletionDate);
    metadata.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  if (key.keyUsage === 'ENCRYPT_DECRYPT') {
    metadata.EncryptionAlgorithms = key.keySpec === 'SYMMETRIC_DEFAULT' ? ['SYMMETRIC_DEFAULT'] : RSA_ENCRYPTION_ALGORITHMS;
  }
  if (key.keyUsage === 'SIGN_VERIFY') metadata.SigningAlgorithms = signingAlgorithmsOf(key.keySpec);
  if (key.keyUsage === 'GENERATE_VERIFY_MAC') metadata.MacAlgorithms = [MAC_ALGORITHM[key.keySpec]];
  if (key.keyUsage === 'KEY_AGREEMENT') metadata.KeyAgreementAlgorithms = KEY_AGREEMENT_ALGORITHMS;
  if (key.multiRegion) {
    const related = store.keysWithId(key.keyId).filter(k => k.account === key.account);
    const primary = related.find(k => k.multiRegionKeyType === 'PRIMARY');
    metadata.MultiRegionConfiguration = {
      MultiRegionKeyType: key.multiRegionKeyType,
      PrimaryKey: primary ? { Arn: primary.arn, Region: primary.region } : undefined,
      ReplicaKeys: related.filter(k => k.multiRegionKeyType === 'REPLICA').map(k => ({ Arn: k.arn, Region: k.region })),
    };
  }
  return metadata;
}
