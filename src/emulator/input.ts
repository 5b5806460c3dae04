import { KmsError, missingMember, validationError } from './errors';

/**
 * Typed reads of a request body, each failing with KMS's ValidationException naming the field, so handlers
 * never see a wrong type. One reader per JSON shape, shared by every operation.
 * @module
 */
export type Input = Record<string, unknown>;

export interface StringRule {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

/** A required string field. */
export function requiredString(input: Input, field: string, rule: StringRule = {}): string {
  const value = input[field];
  if (value === undefined || value === null) throw missingMember(field);
  return checkString(field, value, rule);
}

/** An optional string field. */
export function optionalString(input: Input, field: string, rule: StringRule = {}): string | undefined {
  const value = input[field];
  return value === undefined || value === null ? undefined : checkString(field, value, rule);
}

/** A string's length and pattern, checked as KMS's model states them; `path` is the member path in messages. */
export function checkString(path: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') throw new KmsError('SerializationException', `Expected a string for ${path}`);
  const min = rule.min ?? 1;
  if (value.length < min) throw validationError(path, `Member must have length greater than or equal to ${min}`, value);
  if (rule.max !== undefined && value.length > rule.max) throw validationError(path, `Member must have length less than or equal to ${rule.max}`, value);
  if (rule.pattern && !rule.pattern.test(value)) throw validationError(path, `Member must satisfy regular expression pattern: ${rule.pattern.source}`, value);
  return value;
}

/**
 * An optional enum field. `values` are the ones the emulator serves; `listed` is the set KMS names in its message
 * (in KMS's order, where it was recorded), when that differs.
 */
export function optionalEnum<T extends string>(input: Input, field: string, values: readonly T[], listed: readonly string[] = values): T | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new KmsError('SerializationException', `Expected a string for ${field}`);
  if (!values.includes(value as T)) throw validationError(field, `Member must satisfy enum value set: [${listed.join(', ')}]`, value);
  return value as T;
}

/** A required enum field. */
export function requiredEnum<T extends string>(input: Input, field: string, values: readonly T[], listed: readonly string[] = values): T {
  const value = optionalEnum(input, field, values, listed);
  if (value === undefined) throw missingMember(field);
  return value;
}

/** An optional integer in [min, max]. */
export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new KmsError('SerializationException', `Expected an integer for ${field}`);
  if (value < min) throw validationError(field, `Member must have value greater than or equal to ${min}`, value);
  if (value > max) throw validationError(field, `Member must have value less than or equal to ${max}`, value);
  return value;
}

/** An optional boolean. */
export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new KmsError('SerializationException', `Expected a boolean for ${field}`);
  return value;
}

/** `DryRun` (KMS's NullableBooleanType): true asks whether the request would succeed, without doing it. */
export function dryRunOf(input: Input): boolean {
  return optionalBoolean(input, 'DryRun') ?? false;
}

/** A required base64 blob of [min, max] decoded bytes. */
export function requiredBlob(input: Input, field: string, min: number, max: number): Buffer {
  const blob = optionalBlob(input, field, min, max);
  if (blob === undefined) throw missingMember(field);
  return blob;
}

/** An optional base64 blob. Its value never appears in a message (KMS prints none for binary members). */
export function optionalBlob(input: Input, field: string, min: number, max: number): Buffer | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new KmsError('SerializationException', `Expected a base64-encoded blob for ${field}`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < min) throw validationError(field, `Member must have length greater than or equal to ${min}`);
  if (bytes.length > max) throw validationError(field, `Member must have length less than or equal to ${max}`);
  return bytes;
}

/** An optional string -> string map (encryption context). */
export function optionalStringMap(input: Input, field: string): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new KmsError('SerializationException', `Expected a map for ${field}`);
  for (const [k, v] of Object.entries(value as object)) {
    if (typeof v !== 'string') throw new KmsError('SerializationException', `Expected string values in ${field}`);
    if (k.length === 0) throw validationError(field, 'Map keys must satisfy constraint: [Member must have length greater than or equal to 1]');
  }
  return value as Record<string, string>;
}

/** An optional list of strings. */
export function optionalStringList(input: Input, field: string, max = 1000): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) throw new KmsError('SerializationException', `Expected a list of strings for ${field}`);
  if (value.length > max) throw validationError(field, `Member must have length less than or equal to ${max}`, value);
  return value as string[];
}

/** KMS allows 50 tags per key. */
export const MAX_TAGS = 50;

/**
 * An optional list of `{ TagKey, TagValue }`: lengths checked per member (`tags.1.member.tagKey`), then KMS's
 * TagException rules: no `aws:` prefix (any case), no duplicate keys, at most {@link MAX_TAGS}.
 */
export function optionalTags(input: Input, field = 'Tags'): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new KmsError('SerializationException', `Expected a list for ${field}`);
  const tags: Record<string, string> = {};
  value.forEach((tag, i) => {
    const path = `${field}.${i + 1}.member`;
    const key = (tag as Input)?.TagKey;
    const val = (tag as Input)?.TagValue;
    if (key === undefined || key === null) throw missingMember(`${path}.tagKey`);
    if (val === undefined || val === null) throw missingMember(`${path}.tagValue`);
    checkString(`${path}.tagKey`, key, { min: 1, max: 128 });
    checkString(`${path}.tagValue`, val, { min: 0, max: 256 });
  });
  for (const tag of value as Array<{ TagKey: string; TagValue: string }>) {
    if (tag.TagKey.toLowerCase().startsWith('aws:')) throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
    if (Object.prototype.hasOwnProperty.call(tags, tag.TagKey)) throw new KmsError('TagException', 'Duplicate tag keys');
    tags[tag.TagKey] = tag.TagValue;
  }
  if (Object.keys(tags).length > MAX_TAGS) throw tooManyTags();
  return tags;
}

/** More than {@link MAX_TAGS} tags on a key (in the request, or with the key's own). */
export function tooManyTags(): KmsError {
  return new KmsError('TagException', 'Too many tags');
}

/** Pagination: `Limit` 1-1000 (default 100) and an opaque `Marker` (an offset here). */
export function page<T>(input: Input, items: T[]): { items: T[]; truncated: boolean; nextMarker?: string } {
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const marker = optionalString(input, 'Marker', { max: 1024 });
  const start = marker === undefined ? 0 : /^\d{1,9}$/.test(marker) ? Number(marker) : -1;
  if (start < 0 || start > items.length) throw new KmsError('InvalidMarkerException', INVALID_MARKER);
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return { items: slice, truncated, nextMarker: truncated ? String(start + limit) : undefined };
}

/** InvalidMarkerException's text in KMS's model. */
export const INVALID_MARKER = 'The request was rejected because the marker that specifies where pagination should next begin is not valid.';

export const KEY_ID_RULE: StringRule = { min: 1, max: 2048 };
