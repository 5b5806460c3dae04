/**
 * IAM action lists, one per capability (STYLE convention 3).
 *
 * They differ from aws-cdk-lib's on purpose: administrators get no `kms:Create*` (it covers
 * `kms:CreateGrant`, with which an admin could grant themselves use), no `kms:ReEncrypt*`, no
 * `kms:PutKeyPolicy` unless asked (a policy rewrite is the other way to self-grant use), and never `kms:*`.
 */

/** Management without use. */
export const ADMIN_ACTIONS = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Rewriting the key policy: withheld from admins unless `allowAdminsToChangePolicy`. */
export const POLICY_CHANGE_ACTIONS = ['kms:PutKeyPolicy'];

/** Multi-Region management (only meaningful on multi-Region primaries). */
export const MULTI_REGION_ADMIN_ACTIONS = ['kms:ReplicateKey', 'kms:UpdatePrimaryRegion'];

/** Producing ciphertext under the key. */
export const ENCRYPT_ACTIONS = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptTo',
];

/** Recovering plaintext from ciphertext under the key (`kms:ReEncryptFrom` reveals it to another key). */
export const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];

/**
 * Both directions: what AWS's "key users" statement covers (`kms:GenerateDataKey*`, `kms:ReEncrypt*`), written as
 * the actions themselves, so a use action KMS adds later is not granted unseen (and cdk-nag's AwsSolutions-IAM5,
 * which flags wildcard actions in IAM policies, has nothing to flag).
 */
export const USE_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/** Reading the key's metadata; granted to every user without encryption-context conditions (it has no context). */
export const DESCRIBE_ACTIONS = ['kms:DescribeKey'];

/** Grants for AWS resources (`kms:GrantIsForAWSResource`). */
export const GRANT_ACTIONS = ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'];

/** Strict mode denies these to every principal that may not encrypt. */
export const ALL_ENCRYPT_SIDE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncryptTo'];
/** Strict mode denies these to every principal that may not decrypt. */
export const ALL_DECRYPT_SIDE_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'];
/**
 * Strict mode denies these to every principal that may not administer: the admin actions that change
 * something. Reads (Describe, Get, List) stay open, since users need `kms:DescribeKey`.
 */
export const ALL_MANAGEMENT_ACTIONS = [
  ...ADMIN_ACTIONS.filter(a => !/^kms:(Describe|Get|List)/.test(a)),
  ...POLICY_CHANGE_ACTIONS,
  ...MULTI_REGION_ADMIN_ACTIONS,
];

/** Signing with an asymmetric SIGN_VERIFY key. */
export const SIGN_ACTIONS = ['kms:Sign'];
/** Verifying signatures (in KMS, or offline with the public key). */
export const VERIFY_ACTIONS = ['kms:GetPublicKey', 'kms:Verify'];
/** Producing MACs with an HMAC key. */
export const GENERATE_MAC_ACTIONS = ['kms:GenerateMac'];
/** Verifying MACs with an HMAC key. */
export const VERIFY_MAC_ACTIONS = ['kms:VerifyMac'];
/** Encrypting with an RSA key (in KMS, or offline with the public key). */
export const ASYMMETRIC_ENCRYPT_ACTIONS = ['kms:Encrypt', 'kms:GetPublicKey'];
/** Decrypting with an RSA key. */
export const ASYMMETRIC_DECRYPT_ACTIONS = ['kms:Decrypt'];

/**
 * Deriving a shared secret with a KEY_AGREEMENT key (the secret is as sensitive as a decrypted plaintext), and
 * reading the public key a peer needs to derive the same secret.
 */
export const DERIVE_SHARED_SECRET_ACTIONS = ['kms:DeriveSharedSecret', 'kms:GetPublicKey'];
/** Reading a key-agreement key's public key only (a peer's side of the agreement). */
export const PUBLIC_KEY_ACTIONS = ['kms:GetPublicKey'];

/**
 * Bringing key material to a key with Origin EXTERNAL (BYOK): held by `importers` only, never by admins or users,
 * so the people who manage or use a key are not the ones who choose its material.
 */
export const IMPORT_ACTIONS = ['kms:DeleteImportedKeyMaterial', 'kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'];
