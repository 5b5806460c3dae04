"""The new key kinds driven by boto3, each result checked with pyca/cryptography (OpenSSL), not by the emulator.

Usage: python boto3_key_kinds.py ENDPOINT ACCESS_KEY SECRET
Prints one JSON object: check name -> true when the independent check passed.
"""
import hashlib
import json
import sys

import boto3
from botocore.config import Config
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

endpoint, access_key, secret = sys.argv[1:4]
kms = boto3.client('kms', endpoint_url=endpoint, region_name='eu-west-1', aws_access_key_id=access_key,
                   aws_secret_access_key=secret, config=Config(retries={'max_attempts': 1}))


def create(spec, usage):
    return kms.create_key(KeySpec=spec, KeyUsage=usage)['KeyMetadata']['KeyId']


def public_key(key_id):
    return serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)['PublicKey'])


def verifies(verify):
    try:
        verify()
        return True
    except InvalidSignature:
        return False


results = {}

# secp256k1 over a caller's digest (what Ethereum-style signers send), checked as a prehashed ECDSA signature
key = create('ECC_SECG_P256K1', 'SIGN_VERIFY')
digest = hashlib.sha256(b'boto3 digest').digest()
signature = kms.sign(KeyId=key, Message=digest, MessageType='DIGEST', SigningAlgorithm='ECDSA_SHA_256')['Signature']
results['secp256k1Digest'] = verifies(lambda: public_key(key).verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA256()))))

# P-384 over a digest
key = create('ECC_NIST_P384', 'SIGN_VERIFY')
digest = hashlib.sha384(b'boto3 p384').digest()
signature = kms.sign(KeyId=key, Message=digest, MessageType='DIGEST', SigningAlgorithm='ECDSA_SHA_384')['Signature']
results['p384Digest'] = verifies(lambda: public_key(key).verify(signature, digest, ec.ECDSA(utils.Prehashed(hashes.SHA384()))))

# Ed25519, pure
key = create('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')
signature = kms.sign(KeyId=key, Message=b'boto3 ed25519', SigningAlgorithm='ED25519_SHA_512')['Signature']
results['ed25519'] = verifies(lambda: public_key(key).verify(signature, b'boto3 ed25519'))

# ML-DSA-65, RAW
key = create('ML_DSA_65', 'SIGN_VERIFY')
signature = kms.sign(KeyId=key, Message=b'boto3 ml-dsa', SigningAlgorithm='ML_DSA_SHAKE_256')['Signature']
results['mlDsa65'] = verifies(lambda: public_key(key).verify(signature, b'boto3 ml-dsa'))
results['mlDsa65Verify'] = kms.verify(KeyId=key, Message=b'boto3 ml-dsa', Signature=signature,
                                      SigningAlgorithm='ML_DSA_SHAKE_256')['SignatureValid']

# ECDH on P-256: the peer's own exchange gives the same secret
key = create('ECC_NIST_P256', 'KEY_AGREEMENT')
peer = ec.generate_private_key(ec.SECP256R1())
peer_public = peer.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
secret_kms = kms.derive_shared_secret(KeyId=key, KeyAgreementAlgorithm='ECDH', PublicKey=peer_public)['SharedSecret']
results['ecdh'] = secret_kms == peer.exchange(ec.ECDH(), public_key(key))

# ReEncrypt from symmetric to RSA and back
symmetric = kms.create_key()['KeyMetadata']['KeyId']
rsa = create('RSA_2048', 'ENCRYPT_DECRYPT')
blob = kms.encrypt(KeyId=symmetric, Plaintext=b'boto3 rewrap')['CiphertextBlob']
to_rsa = kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=rsa, DestinationEncryptionAlgorithm='RSAES_OAEP_SHA_256')
back = kms.re_encrypt(CiphertextBlob=to_rsa['CiphertextBlob'], SourceKeyId=rsa, SourceEncryptionAlgorithm='RSAES_OAEP_SHA_256',
                      DestinationKeyId=symmetric)
results['reEncryptRsa'] = kms.decrypt(CiphertextBlob=back['CiphertextBlob'])['Plaintext'] == b'boto3 rewrap'

print(json.dumps(results))
