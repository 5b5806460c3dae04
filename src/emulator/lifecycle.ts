import { DAY_MS } from './clock';
import { newMaterialSecret } from './crypto/asymmetric';
import { randomHex } from './crypto/random-pool';
import { KeyMaterial, KeyRecord } from './state';
import { Store } from './store';

/** A new material version for a key. */
export function newMaterial(key: Pick<KeyRecord, 'keySpec'>, now: number, rotationType?: KeyMaterial['rotationType']): KeyMaterial {
  return { id: randomHex(16), secret: newMaterialSecret(key.keySpec), createdAt: now, rotationType };
}

/**
 * Applies what time did since the last request: keys whose deletion date passed are deleted with their
 * material, aliases and grants; symmetric keys whose rotation came due gain a new material version (old
 * versions stay, so old ciphertext still decrypts). Multi-Region keys rotate on the primary and every
 * replica gets the same material. A key rotates at most once per request (a clock moved years ahead catches up
 * one period per request, as before).
 *
 * The store keeps both due times in min-heaps (due-index.ts), so a request costs nothing for keys that are not
 * due: the cost per request does not grow with the number of keys. Each key taken from a heap is checked again
 * against its record, with the conditions this function always had.
 */
export function applyElapsedTime(store: Store, now: number): void {
  for (const slot of store.deletionsDue.takeDue(now)) {
    const key = store.keys.get(slot);
    if (key && key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now) deleteKeyNow(store, key);
    else store.reindexKey(slot);
  }
  // Taken whole before any rotation, so a rotation whose next date is already past waits for the next request.
  for (const slot of store.rotationsDue.takeDue(now)) {
    const key = store.keys.get(slot);
    const due = key?.rotation.nextRotationDate;
    if (!key || !key.rotation.enabled || due === undefined || due > now || key.multiRegionKeyType === 'REPLICA') {
      store.reindexKey(slot);
      continue;
    }
    rotate(store, key, due, 'AUTOMATIC');
  }
}

/** Adds a material version to a key and, for a multi-Region primary, to its replicas. */
export function rotate(store: Store, key: KeyRecord, at: number, rotationType: 'AUTOMATIC' | 'ON_DEMAND'): void {
  const material = newMaterial(key, at, rotationType);
  for (const record of relatedKeys(store, key)) {
    record.materials.push(material);
    // An on-demand rotation leaves the automatic schedule alone, as in KMS.
    if (record.rotation.enabled && rotationType === 'AUTOMATIC') record.rotation.nextRotationDate = at + record.rotation.periodDays * DAY_MS;
    store.putKey(record);
  }
}

/** A key's records in every region (itself, or a multi-Region key with its primary and replicas). */
export function relatedKeys(store: Store, key: KeyRecord): KeyRecord[] {
  if (!key.multiRegion) return [key];
  return store.keysWithId(key.keyId).filter(k => k.account === key.account);
}

function deleteKeyNow(store: Store, key: KeyRecord): void {
  store.deleteKey(key);
  for (const alias of store.aliasesOfKey(key)) store.deleteAlias(alias);
  for (const grant of store.grantsOfKey(key.arn)) store.deleteGrant(grant.grantId);
}
