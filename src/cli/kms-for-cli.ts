/**
 * The CLI's side of KMS: a client that remembers whether KMS called a ciphertext invalid, and the resolution of
 * `--expect-key` aliases to the key ARNs an envelope records.
 * @module
 */
import type * as ClientKms from '@aws-sdk/client-kms';
import { kmsCommands, KmsLike, mapKmsError } from '../envelope/kms';

/** A KMSClient from the standard AWS environment; the SDK is required here, when the first client is made. */
function newKmsClient(): ClientKms.KMSClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return new (require('@aws-sdk/client-kms') as typeof ClientKms).KMSClient({});
}

/**
 * A KMS client configured from the standard AWS environment, made (and @aws-sdk/client-kms loaded) only when the
 * command first calls KMS: a seal that refuses its empty input, or an inspect, never pays for the SDK.
 */
export function lazyKmsClient(): KmsLike {
  let client: ClientKms.KMSClient | undefined;
  const send = (...args: unknown[]) => {
    client ??= newKmsClient();
    return (client.send as (...a: unknown[]) => Promise<unknown>).apply(client, args);
  };
  return { send: send as ClientKms.KMSClient['send'] };
}

/** KMS's answers that mean "this ciphertext, with this context, was not made by this key": the envelope's fault. */
const CIPHERTEXT_REFUSALS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * A KMS client that notes whether any call was refused because the ciphertext (or the encryption context sent with
 * it) does not authenticate. An envelope with several wrapped keys may fail on one with that and on another with an
 * access error; the library then reports one of them, and the CLI uses this to say "integrity" whenever KMS itself
 * saw a ciphertext that is not genuine (a genuine envelope's wrapped keys all decrypt under its context).
 */
export class WitnessingKms {
  /** True once KMS answered InvalidCiphertextException or IncorrectKeyException. */
  public sawInvalidCiphertext = false;
  /** The wrapped client's `send`, noting the refusals above on the way through. */
  public readonly send: ClientKms.KMSClient['send'];
  private readonly client: ClientKms.KMSClient;

  constructor(client: ClientKms.KMSClient = newKmsClient()) {
    this.client = client;
    this.send = ((...args: unknown[]) => (client.send as (...a: unknown[]) => Promise<unknown>)(...args).catch((err: unknown) => {
      if (CIPHERTEXT_REFUSALS.has((err as { name?: string })?.name ?? '')) this.sawInvalidCiphertext = true;
      throw err;
    })) as ClientKms.KMSClient['send'];
  }

  /** The wrapped client's configuration (the envelope reads its region to rewrite `mrk-` ARNs). */
  public get config(): ClientKms.KMSClient['config'] {
    return this.client.config;
  }
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;

/**
 * `--expect-key` values as the envelope records keys. An envelope names each wrapping key by its ARN, never by an
 * alias or a bare id, so anything but a key ARN (an alias name, an alias ARN, a key id) is resolved with DescribeKey,
 * as KMS resolves a KeyId: in the client's account and region, to the key it names now (this needs kms:DescribeKey
 * on that key). Key ARNs are passed through without a KMS call.
 */
export async function resolveExpectedKeys(kms: Pick<ClientKms.KMSClient, 'send'>, values: string[]): Promise<string[]> {
  return Promise.all(values.map(async value => {
    if (KEY_ARN.test(value)) return value;
    try {
      const described = await kms.send(new (kmsCommands().DescribeKeyCommand)({ KeyId: value }));
      return described.KeyMetadata!.Arn!;
    } catch (err) {
      throw mapKmsError(err, `${value} (resolving --expect-key with DescribeKey)`);
    }
  }));
}
