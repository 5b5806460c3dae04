import { createHash } from 'crypto';
import { Deadline } from './deadline';
import { CustomResourceEvent, MAX_PHYSICAL_ID_BYTES, PROPS, ValueKind } from './event';
import { ResourceFailure } from './failure';
import { generateSecret, MAX_ALPHABET, MAX_SECRET_LENGTH, MIN_ALPHABET, MIN_SECRET_LENGTH } from './secret';
import { KmsLike, rewrap, seal } from '../../envelope';
import { wipe } from '../../envelope/bytes';
import { generateDataKeyEnvelope } from '../../envelope/data-key-envelope';
import { parseEnvelope } from '../../envelope/format';

/** What a Create or Update produced: the physical id and the envelope (base64) returned as an attribute. */
export interface Produced {
  readonly physicalId: string;
  readonly envelope: string;
}

/** The properties every kind reads, checked (CloudFormation passes every scalar as a string). */
interface CommonProps {
  readonly kind: ValueKind;
  readonly targetKeyArn: string;
  readonly encryptionContext: Record<string, string>;
  readonly generation: string;
}

/** A generated value's physical id carries its envelope: CloudFormation gives it back on Update and Delete. */
const VALUE_ID_PREFIX = 'gk1.';

/**
 * Creates or updates one value. The physical id is stable: a SealedValue's depends only on the stack and logical
 * id; a generated value's is its envelope, unchanged by an update that changes nothing it depends on.
 */
export async function produce(event: CustomResourceEvent, kms: KmsLike, deadline: Deadline): Promise<Produced> {
  const props = readCommon(event.ResourceProperties);
  if (props.kind === 'SealedValue') return sealedValue(event, props, kms, deadline);
  const old = event.RequestType === 'Update' ? previousValue(event) : undefined;
  if (old && old.generation === props.generation && old.kind === props.kind) {
    if (!sameContext(old.encryptionContext, props.encryptionContext)) {
      throw new ResourceFailure('CONTEXT_MISMATCH',
        `the encryption context of a ${props.kind} cannot change in place (KMS binds it to the value); change generation to make a new value`);
    }
    if (old.targetKeyArn === props.targetKeyArn) return { physicalId: event.PhysicalResourceId!, envelope: old.envelope };
    // The target key changed: the same value moves to the new key (one ReEncrypt), it is not regenerated.
    const moved = await deadline.retry('ReEncrypt', () => rewrap(fromBase64(old.envelope), { toKeyId: props.targetKeyArn, kms }));
    return asValue(moved);
  }
  if (props.kind === 'DataKey') {
    return asValue(await deadline.retry('GenerateDataKeyWithoutPlaintext', () => generateDataKeyEnvelope(kms, props.targetKeyArn, props.encryptionContext)));
  }
  const secret = readSecretSpec(event.ResourceProperties);
  const plaintext = generateSecret(secret.length, secret.alphabet, secret.raw);
  try {
    return asValue(await deadline.retry('GenerateDataKey', () => seal(plaintext, {
      keyIds: [props.targetKeyArn], encryptionContext: props.encryptionContext, kms, frameSize: 1024,
    })));
  } finally {
    wipe(plaintext);
  }
}

/** SealedValue: the committed envelope, rewrapped to the target key; checked against the declared context first. */
async function sealedValue(event: CustomResourceEvent, props: CommonProps, kms: KmsLike, deadline: Deadline): Promise<Produced> {
  const source = fromBase64(stringProp(event.ResourceProperties, PROPS.envelope));
  const parsed = parseEnvelope(source);
  if (!sameContext(parsed.header.encryptionContext, props.encryptionContext)) {
    throw new ResourceFailure('CONTEXT_MISMATCH', `the envelope's encryption context has keys [${Object.keys(parsed.header.encryptionContext).sort().join(', ')}], `
      + `not the declared [${Object.keys(props.encryptionContext).sort().join(', ')}] with the declared values`);
  }
  const moved = await deadline.retry('ReEncrypt', () => rewrap(source, { toKeyId: props.targetKeyArn, kms }));
  const physicalId = event.PhysicalResourceId ?? stableId(event);
  return { physicalId, envelope: toBase64(moved) };
}

/** Delete: nothing lives outside the stack (the value is in its physical id and attributes), so it always succeeds. */
export function stableId(event: CustomResourceEvent): string {
  const digest = createHash('sha256').update(`${event.StackId}\n${event.LogicalResourceId}`).digest('hex').slice(0, 24);
  return `gk-${event.LogicalResourceId.slice(0, 64)}-${digest}`;
}

function asValue(envelope: Uint8Array): Produced {
  const physicalId = VALUE_ID_PREFIX + Buffer.from(envelope).toString('base64url');
  if (physicalId.length > MAX_PHYSICAL_ID_BYTES) {
    throw new ResourceFailure('RESPONSE_TOO_LARGE', `the value's envelope needs a ${physicalId.length}-byte physical id; CloudFormation allows `
      + `${MAX_PHYSICAL_ID_BYTES} (shorten the encryption context)`);
  }
  return { physicalId, envelope: toBase64(envelope) };
}

/**
 * The value an Update starts from: the old properties and the envelope kept in the old physical id. An id that
 * claims to hold a value but does not parse as an envelope is a failure, never a value: answering SUCCESS with it
 * would hand the application an envelope nobody can open, and making a new value would lose the old one.
 */
function previousValue(event: CustomResourceEvent): (CommonProps & { envelope: string }) | undefined {
  const id = event.PhysicalResourceId ?? '';
  if (!id.startsWith(VALUE_ID_PREFIX) || !event.OldResourceProperties) return undefined;
  let old: CommonProps;
  try {
    old = readCommon(event.OldResourceProperties);
  } catch {
    return undefined;
  }
  const envelope = Buffer.from(id.slice(VALUE_ID_PREFIX.length), 'base64url');
  try {
    parseEnvelope(envelope);
  } catch (err) {
    throw new ResourceFailure('MALFORMED_ENVELOPE', `the physical id of this ${old.kind} does not hold a readable envelope (${(err as Error).message})`);
  }
  return { ...old, envelope: envelope.toString('base64') };
}

function readCommon(properties: Record<string, unknown>): CommonProps {
  const kind = stringProp(properties, PROPS.kind) as ValueKind;
  if (!['SealedValue', 'GeneratedSecret', 'DataKey'].includes(kind)) throw new ResourceFailure('INVALID_PROPERTIES', `${PROPS.kind} must be SealedValue, GeneratedSecret or DataKey`);
  const context = properties[PROPS.encryptionContext] ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context) || Object.values(context).some(v => typeof v !== 'string')) {
    throw new ResourceFailure('INVALID_PROPERTIES', `${PROPS.encryptionContext} must be an object of strings`);
  }
  return {
    kind,
    targetKeyArn: stringProp(properties, PROPS.targetKeyArn),
    encryptionContext: context as Record<string, string>,
    generation: String(properties[PROPS.generation] ?? '1'),
  };
}

function readSecretSpec(properties: Record<string, unknown>): { length: number; alphabet?: string; raw: boolean } {
  const length = Number(properties[PROPS.length] ?? 32);
  if (!Number.isInteger(length) || length < MIN_SECRET_LENGTH || length > MAX_SECRET_LENGTH) {
    throw new ResourceFailure('INVALID_PROPERTIES', `${PROPS.length} must be an integer from ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH}`);
  }
  const raw = String(properties[PROPS.rawBytes] ?? 'false') === 'true';
  const alphabet = properties[PROPS.alphabet] === undefined ? undefined : String(properties[PROPS.alphabet]);
  if (alphabet !== undefined) {
    const symbols = [...alphabet];
    if (symbols.length < MIN_ALPHABET || symbols.length > MAX_ALPHABET || new Set(symbols).size !== symbols.length) {
      throw new ResourceFailure('INVALID_PROPERTIES', `${PROPS.alphabet} must have ${MIN_ALPHABET} to ${MAX_ALPHABET} distinct characters`);
    }
  }
  return { length, alphabet, raw };
}

function stringProp(properties: Record<string, unknown>, name: string): string {
  const value = properties[name];
  if (typeof value !== 'string' || value.length === 0) throw new ResourceFailure('INVALID_PROPERTIES', `${name} must be a non-empty string`);
  return value;
}

function sameContext(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new ResourceFailure('MALFORMED_ENVELOPE', 'the envelope is not base64');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
