import { KmsError } from '../errors';
import { relatedKeys } from '../lifecycle';
import { KeyMaterial, KeyRecord } from '../state';
import { Store } from '../store';
import { withoutSecret } from './material';

/**
 * Imported key material in multi-Region keys, as KMS has it: KMS does not copy imported material to replicas, the
 * owner imports the same material into the primary and into each replica (so ciphertext stays portable), and each
 * region's material expires or is deleted on its own.
 *
 * - ReplicateKey of an Origin EXTERNAL primary makes a replica in PendingImport that knows the primary's material
 *   versions by id only (no secret), so it takes exactly those.
 * - New material (`ImportType NEW_KEY_MATERIAL`) goes into the primary only; each replica is told its id and takes it
 *   with `EXISTING_KEY_MATERIAL`. RotateKeyOnDemand on the primary needs every replica to have it.
 *
 * Material ids of imported material derive from the key id (shared by the multi-Region key) and the material, so
 * the same bytes have the same id in every region.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html
 * @module
 */

/** A replica's material versions when it is made from an Origin EXTERNAL primary: known by id, awaiting import. */
export function replicaMaterialsOf(primary: KeyRecord): Pick<KeyRecord, 'materials' | 'pendingRotation' | 'state'> {
  return {
    materials: primary.materials.map(withoutSecret),
    pendingRotation: primary.pendingRotation && withoutSecret(primary.pendingRotation),
    state: 'PendingImport',
  };
}

/** The other records of a multi-Region key (its replicas, seen from the primary). */
export function replicasOf(store: Store, primary: KeyRecord): KeyRecord[] {
  return relatedKeys(store, primary).filter(k => k.multiRegionKeyType === 'REPLICA');
}

/** ImportKeyMaterial with NEW_KEY_MATERIAL is for the primary only (KMS: replicas take it as EXISTING_KEY_MATERIAL). */
export function assertNotReplicaForNewMaterial(store: Store, key: KeyRecord): void {
  if (key.multiRegionKeyType !== 'REPLICA') return;
  const primaryArn = relatedKeys(store, key).find(k => k.multiRegionKeyType === 'PRIMARY')?.arn ?? 'of this multi-Region key';
  throw new KmsError('ValidationException',
    `New key material can be imported only into the primary key ${primaryArn}; import it into the replica ${key.arn} with ImportType EXISTING_KEY_MATERIAL.`);
}

/** New material staged on the primary: each replica learns its id (no secret), to take it with EXISTING_KEY_MATERIAL. */
export function stageOnReplicas(store: Store, primary: KeyRecord, material: KeyMaterial): void {
  for (const replica of replicasOf(store, primary)) {
    replica.pendingRotation = withoutSecret(material);
    store.putKey(replica);
  }
}

/**
 * RotateKeyOnDemand of an Origin EXTERNAL multi-Region primary: every replica must hold the material pending
 * rotation, imported; then the primary and every replica make it current together.
 */
export function rotateImportedMaterial(store: Store, primary: KeyRecord, now: number): void {
  const pending = primary.pendingRotation!;
  const replicas = replicasOf(store, primary);
  const missing = replicas.find(r => r.pendingRotation?.id !== pending.id || r.pendingRotation.importState !== 'IMPORTED');
  if (missing) {
    throw new KmsError('KMSInvalidStateException',
      `${missing.arn} does not have the key material pending rotation; import it into that replica with ImportType EXISTING_KEY_MATERIAL first.`);
  }
  for (const record of [primary, ...replicas]) {
    record.materials.push({ ...record.pendingRotation!, rotationType: 'ON_DEMAND', createdAt: now });
    record.pendingRotation = undefined;
    store.putKey(record);
  }
}
