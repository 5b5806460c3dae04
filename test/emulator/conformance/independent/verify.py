"""Independent checks for the emulator's ML-DSA keys, with pyca/cryptography (OpenSSL's ML-DSA).

  verify.py mldsa-verify SPKI_HEX MESSAGE_HEX SIGNATURE_HEX   -> prints "valid" or "invalid"
  verify.py mldsa-public PKCS8_PEM_FILE                       -> prints the key's SubjectPublicKeyInfo as hex
"""
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization


def main(args):
    if args[0] == "mldsa-verify":
        key = serialization.load_der_public_key(bytes.fromhex(args[1]))
        try:
            key.verify(bytes.fromhex(args[3]), bytes.fromhex(args[2]))
            print("valid")
        except InvalidSignature:
            print("invalid")
    elif args[0] == "mldsa-public":
        with open(args[1], "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        print(der.hex())
    else:
        raise SystemExit(f"unknown command {args[0]}")


main(sys.argv[1:])
