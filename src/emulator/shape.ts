/**
 * Strict checks of JSON read from disk (the configuration file, the journal): every field must be known and of
 * the right type, and every problem is reported with its path (`principals[0].policies`), all at once. A field
 * the emulator does not know is refused rather than ignored, because ignoring it silently changes meaning (a
 * principal whose `policies` is skipped runs with no policy; a record kind that is skipped is lost on compaction).
 * @module
 */

/** Checks one value at `path`, adding a message per problem. */
export type Shape = (value: unknown, path: string, problems: string[]) => void;

/** A field that may be absent (or undefined). */
export interface OptionalShape {
  readonly optional: Shape;
}

/** How many characters of a wrong value a message quotes. */
const QUOTE_CHARS = 60;

/** The problems of `value` against `shape`, each a sentence naming the path. */
export function problemsOf(value: unknown, shape: Shape, path: string): string[] {
  const problems: string[] = [];
  shape(value, path, problems);
  return problems;
}

export function optional(shape: Shape): OptionalShape {
  return { optional: shape };
}

export const aString: Shape = (value, path, problems) => {
  if (typeof value !== 'string') problems.push(`${path} must be a string. Received: ${quote(value)}`);
};

export const aBoolean: Shape = (value, path, problems) => {
  if (typeof value !== 'boolean') problems.push(`${path} must be true or false. Received: ${quote(value)}`);
};

/** A finite number (times in milliseconds, day counts). */
export const aNumber: Shape = (value, path, problems) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`${path} must be a number. Received: ${quote(value)}`);
};

/** A string matching a pattern (ids, accounts). */
export function matching(pattern: RegExp, what: string): Shape {
  return (value, path, problems) => {
    if (typeof value !== 'string' || !pattern.test(value)) problems.push(`${path} must be ${what}. Received: ${quote(value)}`);
  };
}

export function oneOf(...values: string[]): Shape {
  return (value, path, problems) => {
    if (typeof value !== 'string' || !values.includes(value)) problems.push(`${path} must be one of ${values.join(', ')}. Received: ${quote(value)}`);
  };
}

export function arrayOf(item: Shape): Shape {
  return (value, path, problems) => {
    if (!Array.isArray(value)) return void problems.push(`${path} must be an array. Received: ${quote(value)}`);
    value.forEach((v, i) => item(v, `${path}[${i}]`, problems));
  };
}

/** An object used as a map: any keys, values of one shape. */
export function mapOf(item: Shape): Shape {
  return (value, path, problems) => {
    if (!isPlainObject(value)) return void problems.push(`${path} must be an object. Received: ${quote(value)}`);
    for (const [k, v] of Object.entries(value)) item(v, `${path}.${k}`, problems);
  };
}

/**
 * An object with exactly these fields: a missing required field or an unknown one is a problem. Given a type `T`,
 * the compiler requires a shape for each of its fields and no other, so the check follows the type as it changes.
 */
export function objectOf<T = Record<string, unknown>>(fields: { readonly [K in keyof Required<T>]: Shape | OptionalShape }): Shape {
  const known = Object.keys(fields);
  return (value, path, problems) => {
    if (!isPlainObject(value)) return void problems.push(`${path} must be an object. Received: ${quote(value)}`);
    for (const name of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(fields, name)) problems.push(`${join(path, name)} is not a known field (known: ${known.join(', ')})`);
    }
    for (const [name, shape] of Object.entries<Shape | OptionalShape>(fields)) {
      const present = Object.prototype.hasOwnProperty.call(value, name) && value[name] !== undefined;
      if ('optional' in shape) {
        if (present) shape.optional(value[name], join(path, name), problems);
      } else if (!present) {
        problems.push(`${join(path, name)} is required`);
      } else {
        shape(value[name], join(path, name), problems);
      }
    }
  };
}

/** One of several shapes, chosen by a test on the value (so the problems reported are those of the intended one). */
export function either(choose: (value: unknown) => boolean, ifTrue: Shape, ifFalse: Shape): Shape {
  return (value, path, problems) => (choose(value) ? ifTrue : ifFalse)(value, path, problems);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function quote(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
}
