/**
 * Enum value sets as KMS's service model (botocore `kms/2014-11-01/service-2.json`, the same in
 * `@aws-sdk/client-kms`) lists them, for the `Member must satisfy enum value set: [...]` messages. A value in
 * one of these sets that the emulator does not serve (SM2, imported material) is refused with
 * UnsupportedOperationException instead, since AWS would accept it.
 * @module
 */

export const KEY_SPEC_ENUM = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SYMMETRIC_DEFAULT',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519',
] as const;

export const KEY_USAGE_ENUM = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;

export const SIGNING_ALGORITHM_ENUM = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512', 'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256', 'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;

export const ENCRYPTION_ALGORITHM_ENUM = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;

export const DATA_KEY_PAIR_SPEC_ENUM = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2', 'ECC_NIST_EDWARDS25519',
] as const;

export const KEY_AGREEMENT_ALGORITHM_ENUM = ['ECDH'] as const;

export const MESSAGE_TYPE_ENUM = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;

/** In the order KMS prints it (recorded from AWS; the model lists HMAC_SHA_224 first). */
export const MAC_ALGORITHM_ENUM = ['HMAC_SHA_384', 'HMAC_SHA_256', 'HMAC_SHA_224', 'HMAC_SHA_512'] as const;

export const DATA_KEY_SPEC_ENUM = ['AES_256', 'AES_128'] as const;

export const ORIGIN_ENUM = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

export const INCLUDE_KEY_MATERIAL_ENUM = ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const;
