import { timingSafeEqual } from 'crypto';
import { importedMaterialId } from '../byok/material';
import { importedSecret } from '../byok/material-kinds';
import { assertNotReplicaForNewMaterial, stageOnReplicas } from '../byok/multi-region';
import { assertImportable, EXPIRATION_MODEL_ENUM, IMPORT_TYPE_ENUM } from '../byok/shared';
import { unwrapKeyMaterial } from '../byok/wrapping';
import { DAY_MS } from '../clock';
import { KmsError } from '../errors';
import { Input, optionalEnum, optionalString, requiredBlob } from '../input';
import { keyMaterialId } from '../metadata';
import { KeyMaterial } from '../state';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** `ValidTo` may be at most 365 days ahead. */
export const MAX_VALID_TO_DAYS = 365;

/**
 * Imports key material wrapped under the last GetParametersForImport's public key. The first import (or
 * `ImportType NEW_KEY_MATERIAL` into a key without material) makes it current and the key Enabled;
 * `NEW_KEY_MATERIAL` into a key with material stages it for RotateKeyOnDemand; `EXISTING_KEY_MATERIAL` (the
 * default after the first import) brings back material the key had, so ciphertext made under it decrypts again.
 * HMAC and asymmetric keys take one material for life (byok/material-kinds.ts says what each spec takes); a
 * multi-Region replica takes only its primary's material (byok/multi-region.ts).
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html
 */
export const importKeyMaterial: Handler = (ctx, input) => {
  const key = keyFromInput(ctx, input);
  const token = requiredBlob(input, 'ImportToken', 1, 6144);
  const wrapped = requiredBlob(input, 'EncryptedKeyMaterial', 1, 6144);
  const expirationModel = optionalEnum(input, 'ExpirationModel', EXPIRATION_MODEL_ENUM) ?? 'KEY_MATERIAL_EXPIRES';
  const validTo = validToOf(input, expirationModel, ctx.now());
  const importType = optionalEnum(input, 'ImportType', IMPORT_TYPE_ENUM);
  const requestedMaterialId = optionalString(input, 'KeyMaterialId', { min: 64, max: 64 });
  ctx.assertSameAccount(key);
  ctx.authorize('kms:ImportKeyMaterial', key, {
    conditions: { 'kms:ExpirationModel': expirationModel, ...(validTo !== undefined ? { 'kms:ValidTo': Math.floor(validTo / 1000) } : {}) },
  });
  assertImportable(ctx, key);

  const parameters = key.importParameters;
  if (!parameters || !sameToken(parameters.token, token)) throw new KmsError('InvalidImportTokenException', 'The import token is not valid for this key.');
  if (parameters.validTo <= ctx.now()) throw new KmsError('ExpiredImportTokenException', 'The import token has expired; call GetParametersForImport again.');

  const bytes = unwrapKeyMaterial(parameters.privateKey, parameters.wrappingAlgorithm, parameters.wrappingKeySpec, wrapped);
  let canonical: Buffer | undefined;
  try {
    const imported = importedSecret(key.keySpec, bytes);
    canonical = imported.canonical;
    const id = importedMaterialId(key.keyId, canonical);
    const material: KeyMaterial = {
      id, secret: imported.secret, createdAt: ctx.now(), importState: 'IMPORTED', expirationModel, ...(validTo !== undefined ? { validTo } : {}),
    };
    const known = [...key.materials, ...(key.pendingRotation ? [key.pendingRotation] : [])].find(m => m.id === id);
    const type = importType ?? (key.materials.length === 0 && !key.pendingRotation ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
    if (type === 'NEW_KEY_MATERIAL') {
      if (requestedMaterialId !== undefined) throw new KmsError('ValidationException', 'KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL.');
      assertNotReplicaForNewMaterial(ctx.store, key);
      if (known) throw new KmsError('IncorrectKeyMaterialException', 'This key material was already imported into this KMS key; import it with ImportType EXISTING_KEY_MATERIAL.');
      if (key.materials.length === 0) {
        key.materials.push(material);
        if (key.state === 'PendingImport') key.state = 'Enabled';
      } else if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
        // KMS: "For asymmetric and HMAC keys, you cannot change the key material after the initial import."
        throw new KmsError('IncorrectKeyMaterialException', `${key.arn} has KeySpec ${key.keySpec}, whose key material cannot change after the first import; reimport the same key material with ImportType EXISTING_KEY_MATERIAL.`);
      } else {
        key.pendingRotation = material; // current after RotateKeyOnDemand
        if (key.multiRegionKeyType === 'PRIMARY') stageOnReplicas(ctx.store, key, material);
      }
    } else {
      if (!known || (requestedMaterialId !== undefined && requestedMaterialId !== keyMaterialId(known))) {
        throw key.multiRegionKeyType === 'REPLICA'
          ? new KmsError('IncorrectKeyMaterialException', 'The key material is not key material of this replica\'s primary key; a replica takes only the material imported into its primary.')
          : new KmsError('IncorrectKeyMaterialException', 'The key material is not the same key material that was previously imported into this KMS key.');
      }
      reimport(key, { ...material, createdAt: known.createdAt, rotationType: known.rotationType });
    }
    ctx.store.putKey(key);
    return { KeyId: key.arn, KeyMaterialId: keyMaterialId(material) };
  } finally {
    bytes.fill(0);
    canonical?.fill(0);
  }
};

/** Puts re-imported material back where it was; the key is usable again once its current material is back. */
function reimport(key: { materials: KeyMaterial[]; pendingRotation?: KeyMaterial; state: string }, material: KeyMaterial): void {
  if (key.pendingRotation?.id === material.id) {
    key.pendingRotation = material;
    return;
  }
  const index = key.materials.findIndex(m => m.id === material.id);
  key.materials[index] = material;
  if (index === key.materials.length - 1 && key.state === 'PendingImport') key.state = 'Enabled';
}

function validToOf(input: Input, model: string, now: number): number | undefined {
  const value = input.ValidTo;
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (value !== undefined && value !== null) throw new KmsError('ValidationException', 'ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');
    return undefined;
  }
  if (value === undefined || value === null) throw new KmsError('ValidationException', 'ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new KmsError('SerializationException', 'Expected a timestamp for ValidTo');
  const ms = Math.round(value * 1000);
  if (ms <= now || ms > now + MAX_VALID_TO_DAYS * DAY_MS) {
    throw new KmsError('ValidationException', `ValidTo must be in the future and at most ${MAX_VALID_TO_DAYS} days from now. Received: ${new Date(ms).toISOString()}`);
  }
  return ms;
}

function sameToken(expected: string, given: Buffer): boolean {
  const want = Buffer.from(expected, 'base64');
  return want.length === given.length && timingSafeEqual(want, given);
}
