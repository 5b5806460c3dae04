import { KmsError, validationError } from './errors';

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
  if (value === undefined || value === null) throw validationError(field, 'Member must not be null');
  return checkString(field, value, rule);
}

/** An optional string field. */
export function optionalString(input: Input, field: string, rule: StringRule = {}): string | undefined {
  const value = input[field];
  return value === undefined || value === null ? undefined : checkString(field, value, rule);
}

function checkString(field: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') throw new KmsError('SerializationException', `Expected a string for ${field}`);
  if (value.length < (rule.min ?? 1)) throw validationError(field, `Member must have length greater than or equal to ${rule.min ?? 1}`);
  if (rule.max !== undefined && value.length > rule.max) throw validationError(field, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(value)) throw validationError(field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return value;
}

/** An optional enum field. */
export function optionalEnum<T extends string>(input: Input, field: string, values: readonly T[]): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) throw validationError(field, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

/** A required enum field. */
export function requiredEnum<T extends string>(input: Input, field: string, values: readonly T[]): T {
  const value = optionalEnum(input, field, values);
  if (value === undefined) throw validationError(field, 'Member must not be null');
  return value;
}

/** An optional integer in [min, max]. */
export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new KmsError('SerializationException', `Expected an integer for ${field}`);
  if (value < min) throw validationError(field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(field, `Member must have value less than or equal to ${max}`);
  return value;
}

/** An optional boolean. */
export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new KmsError('SerializationException', `Expected a boolean for ${field}`);
  return value;
}

/** A required base64 blob of [min, max] decoded bytes. */
export function requiredBlob(input: Input, field: string, min: number, max: number): Buffer {
  const blob = optionalBlob(input, field, min, max);
  if (blob === undefined) throw validationError(field, 'Member must not be null');
  return blob;
}

/** An optional base64 blob. */
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
    if (k.length === 0) throw validationError(field, 'Map keys must have length greater than or equal to 1');
  }
  return value as Record<string, string>;
}

/** An optional list of strings. */
export function optionalStringList(input: Input, field: string, max = 1000): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some(v => typeof v !== 'string')) throw new KmsError('SerializationException', `Expected a list of strings for ${field}`);
  if (value.length > max) throw validationError(field, `Member must have length less than or equal to ${max}`);
  return value as string[];
}

/** An optional list of `{ TagKey, TagValue }`. */
export function optionalTags(input: Input, field = 'Tags'): Record<string, string> | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new KmsError('SerializationException', `Expected a list for ${field}`);
  const tags: Record<string, string> = {};
  for (const tag of value) {
    const key = (tag as Input)?.TagKey;
    const val = (tag as Input)?.TagValue;
    if (typeof key !== 'string' || typeof val !== 'string') throw new KmsError('SerializationException', `Expected TagKey and TagValue strings in ${field}`);
    if (key.length < 1 || key.length > 128) throw validationError('TagKey', 'Member must have length between 1 and 128');
    if (val.length > 256) throw validationError('TagValue', 'Member must have length less than or equal to 256');
    if (key.startsWith('aws:')) throw new KmsError('TagException', 'Tag keys must not begin with aws:');
    tags[key] = val;
  }
  return tags;
}

/** Pagination: `Limit` 1-1000 (default 100) and an opaque `Marker` (an offset here). */
export function page<T>(input: Input, items: T[]): { items: T[]; truncated: boolean; nextMarker?: string } {
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const marker = optionalString(input, 'Marker', { max: 1024 });
  const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new KmsError('ValidationException', 'Invalid Marker');
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return { items: slice, truncated, nextMarker: truncated ? String(start + limit) : undefined };
}

export const KEY_ID_RULE: StringRule = { min: 1, max: 2048 };
