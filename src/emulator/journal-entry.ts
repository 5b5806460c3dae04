import { PRINCIPAL_SHAPE } from './config';
import {
  aBoolean, aNumber, arrayOf, aString, either, isPlainObject, mapOf, matching, objectOf, oneOf, optional, problemsOf, Shape,
} from './shape';
import { AliasRecord, GrantRecordStored, ImportParameters, KeyMaterial, KeyRecord, PrincipalRecord, StackRecord } from './state';

/**
 * One change in the journal: a record as it now is, or its removal. The shapes below are the records of
 * state.ts, field for field (the compiler holds them to the types): a journal is replayed only if every entry
 * matches them exactly, so nothing is skipped (and then compacted away) because this version did not understand it.
 * @module
 */
export type JournalEntry =
  | { k: 'key'; v: KeyRecord } | { k: 'del-key'; id: string }
  | { k: 'alias'; v: AliasRecord } | { k: 'del-alias'; id: string }
  | { k: 'grant'; v: GrantRecordStored } | { k: 'del-grant'; id: string }
  | { k: 'principal'; v: PrincipalRecord } | { k: 'del-principal'; id: string }
  | { k: 'stack'; v: StackRecord } | { k: 'del-stack'; id: string };

const ACCOUNT = matching(/^\d{12}$/, 'a 12-digit account id');
const STRINGS = mapOf(aString);

const MATERIAL = objectOf<KeyMaterial>({
  id: aString,
  secret: aString,
  createdAt: aNumber,
  rotationType: optional(oneOf('AUTOMATIC', 'ON_DEMAND')),
  importState: optional(oneOf('IMPORTED', 'PENDING_IMPORT')),
  expirationModel: optional(oneOf('KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE')),
  validTo: optional(aNumber),
});

const IMPORT_PARAMETERS = objectOf<ImportParameters>({
  token: aString,
  privateKey: aString,
  wrappingAlgorithm: oneOf('RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'),
  wrappingKeySpec: oneOf('RSA_2048', 'RSA_3072', 'RSA_4096'),
  validTo: aNumber,
});

const KEY: Shape = objectOf<KeyRecord>({
  keyId: aString,
  account: ACCOUNT,
  region: aString,
  arn: aString,
  keySpec: oneOf('SYMMETRIC_DEFAULT', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521',
    'ECC_SECG_P256K1', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'),
  keyUsage: oneOf('ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'),
  origin: oneOf('AWS_KMS', 'EXTERNAL'),
  description: aString,
  state: oneOf('Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'),
  createdAt: aNumber,
  deletionDate: optional(aNumber),
  pendingWindowInDays: optional(aNumber),
  policy: aString,
  tags: STRINGS,
  rotation: objectOf<KeyRecord['rotation']>({ enabled: aBoolean, periodDays: aNumber, nextRotationDate: optional(aNumber) }),
  materials: arrayOf(MATERIAL),
  pendingRotation: optional(MATERIAL),
  importParameters: optional(IMPORT_PARAMETERS),
  multiRegion: aBoolean,
  multiRegionKeyType: optional(oneOf('PRIMARY', 'REPLICA')),
  keyManager: optional(oneOf('AWS')),
});

const ALIAS: Shape = objectOf<AliasRecord>({
  aliasName: aString, account: ACCOUNT, region: aString, targetKeyId: aString, createdAt: aNumber, lastUpdatedAt: aNumber,
});

const GRANT: Shape = objectOf<GrantRecordStored>({
  grantId: aString,
  grantToken: aString,
  keyArn: aString,
  keyId: aString,
  account: ACCOUNT,
  region: aString,
  granteePrincipal: aString,
  retiringPrincipal: optional(aString),
  issuingAccount: aString,
  operations: arrayOf(aString),
  constraints: optional(objectOf<NonNullable<GrantRecordStored['constraints']>>({ encryptionContextEquals: optional(STRINGS), encryptionContextSubset: optional(STRINGS) })),
  name: optional(aString),
  createdAt: aNumber,
});

/** A stack's state is the local deployment's (src/local/stack-state.ts): the emulator only keeps it whole. */
const STACK: Shape = objectOf<StackRecord>({
  account: ACCOUNT,
  region: aString,
  stackName: aString,
  state: (value, path, problems) => {
    if (!isPlainObject(value)) problems.push(`${path} must be an object`);
  },
});

const SHAPES: Record<JournalEntry['k'], Shape> = {
  'key': objectOf({ k: aString, v: KEY }),
  'alias': objectOf({ k: aString, v: ALIAS }),
  'grant': objectOf({ k: aString, v: GRANT }),
  'del-key': objectOf({ k: aString, id: aString }),
  'del-alias': objectOf({ k: aString, id: aString }),
  'del-grant': objectOf({ k: aString, id: aString }),
  'principal': objectOf({ k: aString, v: PRINCIPAL_SHAPE }),
  'stack': objectOf({ k: aString, v: STACK }),
  'del-principal': objectOf({ k: aString, id: aString }),
  'del-stack': objectOf({ k: aString, id: aString }),
};

const ENTRY: Shape = either(
  value => isPlainObject(value) && typeof value.k === 'string' && Object.prototype.hasOwnProperty.call(SHAPES, value.k),
  (value, path, problems) => SHAPES[(value as JournalEntry).k](value, path, problems),
  (value, path, problems) => problems.push(isPlainObject(value)
    ? `${path}.k is not a known record kind (known: ${Object.keys(SHAPES).join(', ')}). Received: ${JSON.stringify(value.k)}`
    : `${path} must be a record object. Received: ${JSON.stringify(value)?.slice(0, 60)}`),
);

/** The problems of one decoded journal entry (none: it is a {@link JournalEntry}). */
export function entryProblems(value: unknown, path: string): string[] {
  return problemsOf(value, ENTRY, path);
}
