import { cancelKeyDeletion } from './cancel-key-deletion';
import { createAlias } from './create-alias';
import { createGrant } from './create-grant';
import { createKey } from './create-key';
import { decrypt } from './decrypt';
import { deleteAlias } from './delete-alias';
import { deleteImportedKeyMaterial } from './delete-imported-key-material';
import { deriveSharedSecret } from './derive-shared-secret';
import { describeKey } from './describe-key';
import { disableKey } from './disable-key';
import { disableKeyRotation } from './disable-key-rotation';
import { enableKey } from './enable-key';
import { enableKeyRotation } from './enable-key-rotation';
import { encrypt } from './encrypt';
import { generateDataKey } from './generate-data-key';
import { generateDataKeyPair } from './generate-data-key-pair';
import { generateDataKeyPairWithoutPlaintext } from './generate-data-key-pair-without-plaintext';
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext';
import { generateMac } from './generate-mac';
import { generateRandom } from './generate-random';
import { getKeyPolicy } from './get-key-policy';
import { getKeyRotationStatus } from './get-key-rotation-status';
import { getParametersForImport } from './get-parameters-for-import';
import { getPublicKey } from './get-public-key';
import { Handler } from './handler';
import { importKeyMaterial } from './import-key-material';
import { listAliases } from './list-aliases';
import { listGrants } from './list-grants';
import { listKeyPolicies } from './list-key-policies';
import { listKeyRotations } from './list-key-rotations';
import { listKeys } from './list-keys';
import { listResourceTags } from './list-resource-tags';
import { listRetirableGrants } from './list-retirable-grants';
import { putKeyPolicy } from './put-key-policy';
import { reEncrypt } from './re-encrypt';
import { replicateKey } from './replicate-key';
import { retireGrant } from './retire-grant';
import { revokeGrant } from './revoke-grant';
import { rotateKeyOnDemand } from './rotate-key-on-demand';
import { scheduleKeyDeletion } from './schedule-key-deletion';
import { sign } from './sign';
import { tagResource } from './tag-resource';
import { untagResource } from './untag-resource';
import { updateAlias } from './update-alias';
import { updateKeyDescription } from './update-key-description';
import { updatePrimaryRegion } from './update-primary-region';
import { verify } from './verify';
import { verifyMac } from './verify-mac';

/**
 * Every operation the emulator serves, by its `X-Amz-Target` suffix. Not served (UnsupportedOperationException):
 * custom key stores (Connect/Create/Delete/Describe/Disconnect/UpdateCustomKeyStore).
 */
export const OPERATIONS = {
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  CreateGrant: createGrant,
  CreateKey: createKey,
  Decrypt: decrypt,
  DeleteAlias: deleteAlias,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  DeriveSharedSecret: deriveSharedSecret,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: disableKeyRotation,
  EnableKey: enableKey,
  EnableKeyRotation: enableKeyRotation,
  Encrypt: encrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateMac: generateMac,
  GenerateRandom: generateRandom,
  GetKeyPolicy: getKeyPolicy,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetParametersForImport: getParametersForImport,
  GetPublicKey: getPublicKey,
  ImportKeyMaterial: importKeyMaterial,
  ListAliases: listAliases,
  ListGrants: listGrants,
  ListKeyPolicies: listKeyPolicies,
  ListKeyRotations: listKeyRotations,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ListRetirableGrants: listRetirableGrants,
  PutKeyPolicy: putKeyPolicy,
  ReEncrypt: reEncrypt,
  ReplicateKey: replicateKey,
  RetireGrant: retireGrant,
  RevokeGrant: revokeGrant,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateKeyDescription: updateKeyDescription,
  UpdatePrimaryRegion: updatePrimaryRegion,
  Verify: verify,
  VerifyMac: verifyMac,
} satisfies Record<string, Handler>;

export type OperationName = keyof typeof OPERATIONS;

/** Whether a target suffix names a served operation. */
export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(OPERATIONS, name);
}
