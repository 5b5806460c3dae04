import { randomBytes } from 'crypto';
import { DAY_MS } from './clock';
import { newMaterialSecret } from './crypto/asymmetric';
import { KeyMaterial, KeyRecord } from './state';
import { Store } from './store';

/** A new material version for a key. */
export function newMaterial(key: Pick<KeyRecord, 'keySpec'>, now: number, rotationType?: KeyMaterial['rotationType']): KeyMaterial {
  return { id: randomBytes(16).toString('hex'), secret: newMaterialSecret(key.keySpec), createdAt: now, rotationType };
}

/**
 * Applies what time did since the last request: keys whose deletion date passed are deleted with their
 * material, aliases and grants; symmetric keys whose rotation came due gain a new material version (old
 * versions stay, so old ciphertext still decrypts). Multi-Region keys rotate on the primary and every
 * replica gets the same material.
 */
export function applyElapsedTime(store: Store, now: number): void {
  for (const key of [...store.keys.values()]) {
    if (key.state === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now) {
      deleteKeyNow(store, key);
    }
  }
  for (const key of [...store.keys.values()]) {
    const due = key.rotation.nextRotationDate;
    if (!key.rotation.enabled || due === undefined || due > now || key.multiRegionKeyType === 'REPLICA') continue;
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
  return [...store.keys.values()].filter(k => k.account === key.account && k.keyId === key.keyId);
}

function deleteKeyNow(store: Store, key: KeyRecord): void {
  store.deleteKey(key);
  for (const alias of [...store.aliases.values()]) {
    if (alias.account === key.account && alias.region === key.region && alias.targetKeyId === key.keyId) store.deleteAlias(alias);
  }
  for (const grant of [...store.grants.values()]) {
    if (grant.keyArn === key.arn) store.deleteGrant(grant.grantId);
  }
}
