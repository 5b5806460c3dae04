import { KeyKind, KeyRole, ROLES_OF_KIND } from '../policy/key-policy-model';
import { Capability, capabilityOf, expandActionPattern } from '../policy/kms-actions';

/**
 * What a list of action patterns gives on a key, read by expanding every wildcard against the KMS action
 * catalogue (`kms:*`, `kms:Gen*`, `kms:De*` are classified by what they cover, never by their spelling).
 */
export interface ActionClassification {
  /** The KMS actions the patterns cover. */
  readonly actions: string[];
  /** Whether any covered action manages the key (policy, state, deletion, aliases, tags, revoking grants). */
  readonly administers: boolean;
  /** Whether any covered action uses the key (encrypt, decrypt, sign, verify, MAC, grants). */
  readonly uses: boolean;
  /** The use roles the covered actions amount to, for the kind of key (strict mode exempts their holders). */
  readonly useRoles: KeyRole[];
}

const USE_CAPABILITIES: ReadonlySet<Capability> = new Set(['encrypt', 'decrypt', 'grant', 'sign', 'verify', 'mac']);

/** Classifies action patterns (case-insensitive, `*` and `?`) for a key of the given kind. */
export function classifyActions(patterns: string[], kind: KeyKind): ActionClassification {
  const actions = [...new Set(patterns.flatMap(expandActionPattern))];
  const capabilities = new Set(actions.map(capabilityOf));
  const uses = [...capabilities].some(c => c !== undefined && USE_CAPABILITIES.has(c));
  return {
    actions,
    administers: capabilities.has('administer'),
    uses,
    useRoles: uses ? useRolesOf(actions, kind) : [],
  };
}

/**
 * The roles that stand for the covered use actions. A principal that may CreateGrant can give itself any use
 * through a grant, so grant-only access stands for the kind's widest role: exempting it from strict mode's
 * use denies gives it nothing that CreateGrant did not.
 */
function useRolesOf(actions: string[], kind: KeyKind): KeyRole[] {
  const has = (name: string) => actions.includes(`kms:${name}`);
  const roles: KeyRole[] = [];
  const encrypts = ['Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'ReEncryptTo'].some(has);
  const decrypts = ['Decrypt', 'ReEncryptFrom'].some(has);
  if (encrypts && decrypts) roles.push('user');
  else if (encrypts) roles.push('encryptor');
  else if (decrypts) roles.push('decryptor');
  if (has('Sign')) roles.push('signer');
  if (has('DeriveSharedSecret')) roles.push('deriver');
  else if (has('GetPublicKey') && kind === 'key-agreement') roles.push('publicKeyReader');
  if (has('Verify') || has('GetPublicKey')) roles.push(kind === 'rsa-encryption' ? 'encryptor' : 'verifier');
  if (has('GenerateMac')) roles.push('macGenerator');
  if (has('VerifyMac')) roles.push('macVerifier');
  if (has('CreateGrant') && roles.length === 0) roles.push(ROLES_OF_KIND[kind][0]);
  return [...new Set(roles)].filter(role => ROLES_OF_KIND[kind].includes(role));
}
