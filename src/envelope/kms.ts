import type * as ClientKms from '@aws-sdk/client-kms';
import { IntegrityError, KeyNotFoundError, KmsAccessError } from './errors';
import { WrappedKey } from './format';
import type * as KmsCommands from './kms-commands';

/** The part of a KMS client the envelope uses: an unmodified `KMSClient` fits. */
export type KmsLike = Pick<ClientKms.KMSClient, 'send'>;

let commands: typeof KmsCommands | undefined;

/**
 * The KMS commands the envelope builds (kms-commands.ts), loaded at the first KMS call rather than with the
 * envelope: see kms-commands.ts for why, and why through that module. The caller brings the client.
 */
export function kmsCommands(): typeof KmsCommands {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return commands ??= require('./kms-commands') as typeof KmsCommands;
}

/** KMS errors mapped to the envelope's: never echoing anything but KMS's own message. */
export function mapKmsError(err: unknown, keyId: string): Error {
  const name = (err as { name?: string })?.name ?? 'Error';
  const message = (err as Error)?.message ?? String(err);
  if (name === 'NotFoundException') return new KeyNotFoundError(`${keyId}: ${message}`);
  if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') return new IntegrityError();
  if (['AccessDeniedException', 'DisabledException', 'KMSInvalidStateException', 'InvalidKeyUsageException', 'UnrecognizedClientException'].includes(name)) {
    return new KmsAccessError(name, message);
  }
  return err instanceof Error ? err : new Error(message);
}

/** A fresh data key and its wrapped copies. */
export interface GeneratedDataKey {
  readonly dataKey: Uint8Array;
  readonly wrapped: WrappedKey[];
}

/** A new data key under the first key, wrapped again (KMS Encrypt) under each other key. */
export async function generateWrappedDataKey(kms: KmsLike, keyIds: string[], context: Record<string, string>): Promise<GeneratedDataKey> {
  const [first, ...others] = keyIds;
  let generated;
  try {
    generated = await kms.send(new (kmsCommands().GenerateDataKeyCommand)({ KeyId: first, KeySpec: 'AES_256', EncryptionContext: context }));
  } catch (err) {
    throw mapKmsError(err, first);
  }
  const dataKey = generated.Plaintext!;
  const wrapped: WrappedKey[] = [{ keyId: generated.KeyId!, ciphertext: generated.CiphertextBlob! }];
  for (const keyId of others) {
    try {
      const out = await kms.send(new (kmsCommands().EncryptCommand)({ KeyId: keyId, Plaintext: dataKey, EncryptionContext: context }));
      wrapped.push({ keyId: out.KeyId!, ciphertext: out.CiphertextBlob! });
    } catch (err) {
      dataKey.fill(0);
      throw mapKmsError(err, keyId);
    }
  }
  return { dataKey, wrapped };
}

/** A KMS client whose region can be read (an SDK client's `config.region`). */
type RegionalKms = KmsLike & { config?: { region?: unknown } };

/**
 * Unwraps a data key with KMS Decrypt, naming the key explicitly (so KMS refuses a wrapped key whose recorded ARN
 * is not the key that encrypted it) and passing the envelope's context (which KMS checks). An `mrk-` key ARN of
 * another region is rewritten to the client's region, so an envelope sealed under a multi-Region primary opens
 * with its replica.
 * @returns the data key (the caller owns and wipes it) and the key ARN KMS reports having used
 */
export async function unwrapDataKey(
  kms: RegionalKms, wrapped: WrappedKey, context: Record<string, string>,
): Promise<{ dataKey: Uint8Array; keyId: string }> {
  const keyId = await localMultiRegionArn(kms, wrapped.keyId);
  try {
    const out = await kms.send(new (kmsCommands().DecryptCommand)({ CiphertextBlob: wrapped.ciphertext, KeyId: keyId, EncryptionContext: context }));
    return { dataKey: out.Plaintext!, keyId: out.KeyId ?? keyId };
  } catch (err) {
    throw mapKmsError(err, keyId);
  }
}

/** The ARN of the key a key id, alias name or alias ARN names now, in the client's account and region. */
export async function describeKeyArn(kms: KmsLike, keyId: string): Promise<string> {
  try {
    const out = await kms.send(new (kmsCommands().DescribeKeyCommand)({ KeyId: keyId }));
    return out.KeyMetadata!.Arn!;
  } catch (err) {
    throw mapKmsError(err, keyId);
  }
}

/** Re-encrypts a wrapped key to another KMS key inside KMS (the data key never leaves it). */
export async function reEncryptWrappedKey(kms: KmsLike, wrapped: WrappedKey, toKeyId: string, context: Record<string, string>): Promise<WrappedKey> {
  try {
    const out = await kms.send(new (kmsCommands().ReEncryptCommand)({
      CiphertextBlob: wrapped.ciphertext,
      SourceKeyId: wrapped.keyId,
      SourceEncryptionContext: context,
      DestinationKeyId: toKeyId,
      DestinationEncryptionContext: context,
    }));
    return { keyId: out.KeyId!, ciphertext: out.CiphertextBlob! };
  } catch (err) {
    throw mapKmsError(err, `${wrapped.keyId} -> ${toKeyId}`);
  }
}

/**
 * The `mrk-` rewrite: a wrapped key ARN of exactly this shape whose region differs from the client's is opened
 * with the same partition, account and key id in the client's region. Any other ARN is used as written.
 */
export const MRK_ARN = /^arn:(aws[a-z-]*):kms:([^:]+):(\d{12}):key\/(mrk-[0-9a-f]{32})$/;

export async function localMultiRegionArn(kms: { config?: { region?: unknown } }, keyId: string): Promise<string> {
  const match = MRK_ARN.exec(keyId);
  const region = kms.config?.region;
  if (!match || region === undefined) return keyId;
  const resolved = typeof region === 'function' ? await (region as () => Promise<string>)() : String(region);
  return resolved && resolved !== match[2] ? `arn:${match[1]}:kms:${resolved}:${match[3]}:key/${match[4]}` : keyId;
}
