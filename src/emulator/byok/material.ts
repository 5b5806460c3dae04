import { createHash } from 'crypto';
import { KeyMaterial, KeyRecord } from '../state';
import { Store } from '../store';

/**
 * Imported key material (Origin EXTERNAL): its id, expiry and deletion.
 *
 * KMS derives an imported material's id from the key and the material, so importing the same bytes again (after
 * DeleteImportedKeyMaterial or expiry) restores the same version and ciphertext made before decrypts again. The
 * emulator does the same: the id written in ciphertext is a hash of the key id and the material.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 * @module
 */

/** The 16-byte (32 hex) material id of imported bytes for one key. */
export function importedMaterialId(keyId: string, material: Uint8Array): string {
  return createHash('sha256').update(`guarded-keys imported material\0${keyId}\0`).update(material).digest('hex').slice(0, 32);
}

/** The material with its secret gone, as KMS keeps it after deletion or expiry: id, history, PENDING_IMPORT. */
export function withoutSecret(material: KeyMaterial): KeyMaterial {
  return { id: material.id, secret: '', createdAt: material.createdAt, rotationType: material.rotationType, importState: 'PENDING_IMPORT' };
}

/** The key's current material, if it has one (a key created with Origin EXTERNAL has none until the first import). */
export function currentMaterial(key: KeyRecord): KeyMaterial | undefined {
  return key.materials[key.materials.length - 1];
}

/**
 * Removes a material's secret. When it was the current material, the key is unusable until the same material is
 * imported again: state PendingImport (a key pending deletion stays so).
 */
export function deleteMaterial(key: KeyRecord, materialId: string): void {
  if (key.pendingRotation?.id === materialId) {
    // A replica keeps awaiting its primary's pending material (byok/multi-region.ts); elsewhere it is gone.
    key.pendingRotation = key.multiRegionKeyType === 'REPLICA' ? withoutSecret(key.pendingRotation) : undefined;
    return;
  }
  const index = key.materials.findIndex(m => m.id === materialId);
  if (index < 0) return;
  key.materials[index] = withoutSecret(key.materials[index]);
  if (index === key.materials.length - 1 && key.state !== 'PendingDeletion') key.state = 'PendingImport';
}

/** Imported material whose `ValidTo` passed is deleted, as KMS deletes it; called as time passes, before each request. */
export function expireImportedMaterial(store: Store, now: number): void {
  // Only the keys whose earliest expiry has come (the store's due index), so a request never walks every key.
  for (const slot of store.materialExpiriesDue.takeDue(now)) {
    const key = store.keys.get(slot);
    if (!key) continue;
    const expired = [...key.materials, ...(key.pendingRotation ? [key.pendingRotation] : [])]
      .filter(m => m.importState === 'IMPORTED' && m.expirationModel === 'KEY_MATERIAL_EXPIRES' && m.validTo !== undefined && m.validTo <= now);
    for (const m of expired) deleteMaterial(key, m.id);
    if (expired.length) store.putKey(key);
    else store.reindexKey(slot);
  }
}
