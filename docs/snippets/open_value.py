"""Open a cdk-guarded-keys envelope at run time in Python (boto3 + cryptography).

A reader of the format in docs/envelope-format.md (version 1; suite 0x01 sealed values, suite 0x02 data keys),
with a small data-key cache: a Lambda opening the same value on every invocation calls KMS once per container.
Usage: open_value(os.environ["DB_PASSWORD_ENVELOPE"], {"app": "billing"})  ->  bytes
"""
import base64
import hmac
import struct

import boto3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_kms = None
_cache = {}  # wrapped key blob -> data key (this process only)


def open_value(envelope_b64, expected_context, kms=None):
    global _kms
    kms = kms or _kms or boto3.client("kms")
    _kms = _kms or kms
    data = base64.b64decode(envelope_b64)
    version, suite = data[0], data[1]
    if version != 1 or suite not in (1, 2):
        raise ValueError("unsupported envelope")
    message_id = data[2:18]
    (frame_size,) = struct.unpack(">I", data[18:22])
    (ctx_len,) = struct.unpack(">H", data[22:24])
    context = _context(data[24:24 + ctx_len])
    for key, value in expected_context.items():
        if context.get(key) != value:
            raise ValueError("encryption context is not the expected one: " + key)
    off = 24 + ctx_len
    commitment = data[off:off + 32]
    header = data[:off + 32]
    off += 32
    (count,) = struct.unpack(">H", data[off:off + 2])
    off += 2
    wrapped = []
    for _ in range(count):
        (n,) = struct.unpack(">H", data[off:off + 2])
        key_id = data[off + 2:off + 2 + n].decode()
        off += 2 + n
        (n,) = struct.unpack(">H", data[off:off + 2])
        wrapped.append((key_id, data[off + 2:off + 2 + n]))
        off += 2 + n
    key_id, blob = wrapped[0]
    data_key = _cache.get(blob)
    if data_key is None:
        data_key = kms.decrypt(CiphertextBlob=blob, KeyId=key_id, EncryptionContext=context)["Plaintext"]
        _cache[blob] = data_key
    if suite == 2:  # a DataKey: the value is the data key itself
        if off != len(data) or any(commitment):
            raise ValueError("malformed data-key envelope")
        return data_key
    okm = HKDF(algorithm=hashes.SHA512(), length=64, salt=message_id, info=b"guarded-keys/v1" + bytes([suite])).derive(data_key)
    if not hmac.compare_digest(okm[32:], commitment):
        raise ValueError("envelope integrity check failed")
    aead, out, seq = AESGCM(okm[:32]), [], 1
    while True:
        (word,) = struct.unpack(">I", data[off:off + 4])
        final = word & 0x80000000
        if (word & 0x7FFFFFFF) != seq:
            raise ValueError("envelope integrity check failed")
        off += 4
        if final:
            (length,) = struct.unpack(">I", data[off:off + 4])
            off += 4
        else:
            length = frame_size
        iv = bytes(8) + struct.pack(">I", word)
        aad = header + struct.pack(">II", word, length)
        out.append(aead.decrypt(iv, data[off:off + length + 16], aad))
        off += length + 16
        if final:
            if off != len(data):
                raise ValueError("envelope integrity check failed")
            return b"".join(out)
        seq += 1


def _context(raw):
    (pairs,) = struct.unpack(">H", raw[:2])
    off, context = 2, {}
    for _ in range(pairs):
        (n,) = struct.unpack(">H", raw[off:off + 2])
        key = raw[off + 2:off + 2 + n].decode()
        off += 2 + n
        (n,) = struct.unpack(">H", raw[off:off + 2])
        context[key] = raw[off + 2:off + 2 + n].decode()
        off += 2 + n
    return context
