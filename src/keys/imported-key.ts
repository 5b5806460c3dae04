import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GuardedKeyCommonProps } from './common-props';
import { GuardedKeyBase } from './guarded-key-base';
import { describePrincipal, principalArnPattern, principalIdentity } from '../policy/principal-identity';
import { validationErrorFor } from '../private/errors';
import { IMPORT_ACTIONS } from '../private/perms';

/** The Sids of the statements an ImportedKey adds to its policy. */
export const IMPORT_STATEMENT_SIDS = {
  allow: 'AllowKeyMaterialImport',
  denyUnlisted: 'DenyKeyMaterialImportToUnlistedPrincipals',
} as const;

/**
 * Properties of an {@link ImportedKey}.
 *
 * @example
 * const props: ImportedKeyProps = { admins: [operators], importers: [ingestRole], decryptors: [appRole] };
 * new ImportedKey(this, 'ByokArchive', props);
 */
export interface ImportedKeyProps extends GuardedKeyCommonProps {
  /**
   * Principals that bring the key material: `kms:GetParametersForImport`, `kms:ImportKeyMaterial`,
   * `kms:DeleteImportedKeyMaterial` and `kms:DescribeKey`. They may not also be `admins` or use the key
   * (`users`, `encryptors`, `decryptors`): whoever chooses the material neither manages nor uses the key.
   * In strict mode, nobody else but the account root may import.
   *
   * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
   * @default - No importer in the key policy: only principals whose IAM policies allow it (the account-root statement trusts them).
   */
  readonly importers?: iam.IPrincipal[];

  /**
   * Principals that encrypt and decrypt with the key, narrowed by `viaServices`, `callerAccounts` and
   * `requiredEncryptionContext` (as `GuardedKey`'s `users`).
   *
   * @default - No user in the key policy.
   */
  readonly users?: iam.IPrincipal[];

  /**
   * Principals that only produce ciphertext, narrowed like `users`.
   *
   * @default - No encrypt-only principal.
   */
  readonly encryptors?: iam.IPrincipal[];

  /**
   * Principals that only recover plaintext, narrowed like `users`.
   *
   * @default - No decrypt-only principal.
   */
  readonly decryptors?: iam.IPrincipal[];

  /**
   * Encryption context that every cryptographic request of a user must carry (as `GuardedKey`'s).
   *
   * @default - No encryption context is required.
   */
  readonly requiredEncryptionContext?: { [key: string]: string };
}

/**
 * A symmetric `ENCRYPT_DECRYPT` key whose material you bring (`Origin: EXTERNAL`, BYOK): it is created without
 * material (state PendingImport) and becomes usable when an importer imports it. The key policy separates three
 * groups: `importers` bring (and may delete) the material, `admins` manage, users use; nobody but the account root
 * is in two of them.
 *
 * KMS cannot rotate imported material automatically, so the key has no automatic rotation: import new material
 * with `ImportType: NEW_KEY_MATERIAL` and rotate on demand (admins hold `kms:RotateKeyOnDemand`). Imported
 * material can expire (`ValidTo`): the key is then unusable until the same material is imported again.
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 * @resource AWS::KMS::Key
 *
 * @example
 * // The key is created without material; the importer role brings it (GetParametersForImport, ImportKeyMaterial).
 * new ImportedKey(this, 'ByokKey', {
 *   aliases: ['data/byok'],
 *   admins: [operators],
 *   importers: [ingestRole],
 *   users: [appRole],
 *   viaServices: ['s3'],
 * });
 */
export class ImportedKey extends GuardedKeyBase {
  constructor(scope: Construct, id: string, props: ImportedKeyProps = {}) {
    super(scope, id, props, importedKeyProps(scope, id, props));
    (this.node.defaultChild as kms.CfnKey).origin = 'EXTERNAL';
    this._addMembers('user', props.users);
    this._addMembers('encryptor', props.encryptors);
    this._addMembers('decryptor', props.decryptors);
    const importers = props.importers ?? [];
    if (importers.length) {
      this._model.addStatement(new iam.PolicyStatement({
        sid: IMPORT_STATEMENT_SIDS.allow, principals: importers, actions: [...IMPORT_ACTIONS], resources: ['*'],
      }));
    }
    if (props.strict) {
      // Import actions are not management actions the strict denies cover: deny them to everyone unlisted.
      const allowed = [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`, ...importers.map(p => principalArnPattern(p)!)];
      this._model.addStatement(new iam.PolicyStatement({
        sid: IMPORT_STATEMENT_SIDS.denyUnlisted,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: IMPORT_ACTIONS.filter(a => a !== 'kms:DescribeKey'),
        resources: ['*'],
        conditions: { StringNotLike: { 'aws:PrincipalArn': allowed } },
      }));
    }
  }
}

/** Validates the importers against the other groups and strict mode; the key is symmetric and does not auto-rotate. */
function importedKeyProps(scope: Construct, id: string, props: ImportedKeyProps): kms.KeyProps {
  const problems: string[] = [];
  const importers = props.importers ?? [];
  const others: Array<[string, iam.IPrincipal[] | undefined]> = [
    ['admins', props.admins], ['users', props.users], ['encryptors', props.encryptors], ['decryptors', props.decryptors],
  ];
  for (const importer of importers) {
    const identity = principalIdentity(scope, importer);
    for (const [prop, principals] of others) {
      if ((principals ?? []).some(p => principalIdentity(scope, p) === identity)) {
        problems.push(`'importers' must not include a principal that is also in '${prop}' (who brings the material neither manages nor uses the key). Received: ${describePrincipal(scope, importer)}`);
      }
    }
    if (importer instanceof iam.AnyPrincipal) {problems.push("'importers' must name principals, not '*'");} else if (props.strict && principalArnPattern(importer) === undefined) {
      problems.push(`'importers' must be IAM principals (role, user, ARN or account) in strict mode. Received: ${describePrincipal(scope, importer)}`);
    }
  }
  if (problems.length) throw validationErrorFor(scope, id, problems.join('; '));
  return { keySpec: kms.KeySpec.SYMMETRIC_DEFAULT, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT, enableKeyRotation: false };
}
