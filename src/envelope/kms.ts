import type * as ClientKms from '@aws-sdk/client-kms';
import { IntegrityError, KeyNotFoundError, KmsAccessError } from './errors';
import { WrappedKey } from './format';
import type * as KmsCommands from './kms-commands';

/** The part of an SDK KMS client the envelope uses: an unmodified `KMSClient` (or a mock of its `send`) fits. */
export type KmsLike = Pick<ClientKms.KMSClient, 'send'>;

/** The KMS operations the envelope calls. */
export type KmsOperation = 'Decrypt' | 'DescribeKey' | 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'ReEncrypt';

/** Each operation's input and output, as @aws-sdk/client-kms types them (types only: nothing of the SDK is loaded). */
export interface KmsOperationTypes {
  Decrypt: [ClientKms.DecryptCommandInput, ClientKms.DecryptCommandOutput];
  DescribeKey: [ClientKms.DescribeKeyCommandInput, ClientKms.DescribeKeyCommandOutput];
  Encrypt: [ClientKms.EncryptCommandInput, ClientKms.EncryptCommandOutput];
  GenerateDataKey: [ClientKms.GenerateDataKeyCommandInput, ClientKms.GenerateDataKeyCommandOutput];
  GenerateDataKeyWithoutPlaintext: [ClientKms.GenerateDataKeyWithoutPlaintextCommandInput, ClientKms.GenerateDataKeyWithoutPlaintextCommandOutput];
  ReEncrypt: [ClientKms.ReEncryptCommandInput, ClientKms.ReEncryptCommandOutput];
}

/**
 * The other shape of KMS the envelope accepts: one that takes an operation by name and its plain input, and answers
 * with the operation's plain output (or throws an error whose `name` is KMS's exception, as the SDK's do). The
 * envelope then never builds the SDK's command objects, so @aws-sdk/client-kms is not loaded for them: the CLI's
 * stream worker forwards these calls to the thread that holds the real client (src/cli/stream-worker.ts).
 * An object with a `send` function is called as an SDK client whatever else it has (so a mock that answers every
 * property, as deep-proxy mocks do, is called as before); `kmsOperation` is used when there is no `send`.
 */
export interface KmsOperations {
  /** The region, as an SDK client's `config.region` (a string or a function resolving to one): `mrk-` ARNs need it. */
  readonly config?: { readonly region?: unknown };
  kmsOperation<O extends KmsOperation>(operation: O, input: KmsOperationTypes[O][0]): Promise<KmsOutput<O>>;
}

/** An operation's output: fields KMS may leave out are read with `!` where the envelope relies on them. */
export type KmsOutput<O extends KmsOperation> = Partial<KmsOperationTypes[O][1]>;

/** What the envelope calls KMS through: an SDK client's `send` ({@link KmsLike}), or {@link KmsOperations}. */
export type EnvelopeKms = KmsLike | KmsOperations;

/**
 * Calls one KMS operation: as the SDK's command object through `send` (what a real `KMSClient`, aws-sdk-client-mock
 * and the handler's client expect), or by name on a {@link KmsOperations} (an object without `send`).
 */
export async function callKms<O extends KmsOperation>(kms: EnvelopeKms, operation: O, input: KmsOperationTypes[O][0]): Promise<KmsOutput<O>> {
  if (typeof (kms as Partial<KmsLike>).send !== 'function') return (kms as KmsOperations).kmsOperation(operation, input);
  const Command = kmsCommands()[`${operation}Command`] as unknown as new (i: typeof input) => Parameters<KmsLike['send']>[0];
  return (kms as KmsLike).send(new Command(input)) as Promise<KmsOutput<O>>;
}

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
export async function generateWrappedDataKey(kms: EnvelopeKms, keyIds: string[], context: Record<string, string>): Promise<GeneratedDataKey> {
  const [first, ...others] = keyIds;
  let generated;
  try {
    generated = await callKms(kms, 'GenerateDataKey', { KeyId: first, KeySpec: 'AES_256', EncryptionContext: context });
  } catch (err) {
    throw mapKmsError(err, first);
  }
  const dataKey = generated.Plaintext!;
  const wrapped: WrappedKey[] = [{ keyId: generated.KeyId!, ciphertext: generated.CiphertextBlob! }];
  for (const keyId of others) {
    try {
      const out = await callKms(kms, 'Encrypt', { KeyId: keyId, Plaintext: dataKey, EncryptionContext: context });
      wrapped.push({ keyId: out.KeyId!, ciphertext: out.CiphertextBlob! });
    } catch (err) {
      dataKey.fill(0);
      throw mapKmsError(err, keyId);
    }
  }
  return { dataKey, wrapped };
}

/** A KMS client whose region can be read (an SDK client's `config.region`). */
type RegionalKms = EnvelopeKms & { config?: { region?: unknown } };

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
    const out = await callKms(kms, 'Decrypt', { CiphertextBlob: wrapped.ciphertext, KeyId: keyId, EncryptionContext: context });
    return { dataKey: out.Plaintext!, keyId: out.KeyId ?? keyId };
  } catch (err) {
    throw mapKmsError(err, keyId);
  }
}

/** The ARN of the key a key id, alias name or alias ARN names now, in the client's account and region. */
export async function describeKeyArn(kms: EnvelopeKms, keyId: string): Promise<string> {
  try {
    const out = await callKms(kms, 'DescribeKey', { KeyId: keyId });
    return out.KeyMetadata!.Arn!;
  } catch (err) {
    throw mapKmsError(err, keyId);
  }
}

/** Re-encrypts a wrapped key to another KMS key inside KMS (the data key never leaves it). */
export async function reEncryptWrappedKey(
  kms: EnvelopeKms, wrapped: WrappedKey, toKeyId: string, context: Record<string, string>,
): Promise<WrappedKey> {
  try {
    const out = await callKms(kms, 'ReEncrypt', {
      CiphertextBlob: wrapped.ciphertext,
      SourceKeyId: wrapped.keyId,
      SourceEncryptionContext: context,
      DestinationKeyId: toKeyId,
      DestinationEncryptionContext: context,
    });
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
