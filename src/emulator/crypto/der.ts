/**
 * The few DER and PEM pieces the emulator writes itself: key containers (PKCS#8, SubjectPublicKeyInfo) for key
 * types Node cannot generate or re-label. Framing only: every cryptographic operation is OpenSSL's or noble's.
 * @module
 */

/** A DER length: short form below 128, else 0x80 + the number of length bytes, big-endian. */
function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 + bytes.length, ...bytes]);
}

/** One DER element: tag, length, the concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

export const DER = { SEQUENCE: 0x30, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, CONTEXT_0: 0x80 } as const;

/** PEM armour around DER (64-character lines, as OpenSSL writes them). */
export function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER inside a PEM of the given label, or undefined when the PEM has another label. */
export function fromPem(label: string, pem: string): Buffer | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  return match ? Buffer.from(match[1].replace(/\s+/g, ''), 'base64') : undefined;
}
