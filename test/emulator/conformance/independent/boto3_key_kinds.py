"""The new key kinds driven by boto3, each result checked with pyca/cryptography (OpenSSL), not by the emulator.

Usage: python boto3_key_kinds.py ENDPOINT ACCESS_KEY SECRET
Prints one JSON object: check name -> true when the independent check passed.
"""
import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
from cryptography.hazmat.primitives.asymmetric import rsa as pyca_rsa

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

# ML-DSA-65 over EXTERNAL_MU: the caller computes mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64) (FIPS 204,
# pure ML-DSA with an empty context); KMS signs mu, and pyca/cryptography verifies the signature over M itself.
message = b'boto3 external mu'
tr = hashlib.shake_256(public_key(key).public_bytes_raw()).digest(64)
mu = hashlib.shake_256(tr + b'\x00\x00' + message).digest(64)
signature = kms.sign(KeyId=key, Message=mu, MessageType='EXTERNAL_MU', SigningAlgorithm='ML_DSA_SHAKE_256')['Signature']
results['mlDsa65ExternalMu'] = verifies(lambda: public_key(key).verify(signature, message))
results['mlDsa65ExternalMuVerify'] = kms.verify(KeyId=key, Message=mu, MessageType='EXTERNAL_MU', Signature=signature,
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


# Imported RSA key (BYOK): our private key, PKCS#8 DER, wrapped with RSA_AES_KEY_WRAP_SHA_256 (RSA-OAEP of an AES key,
# then AES key wrap with padding) by pyca/cryptography; GetPublicKey is ours, and KMS verifies, over the DIGEST,
# PSS signatures pyca made over the RAW message (salt = hash length), refusing another salt length.
ours = pyca_rsa.generate_private_key(public_exponent=65537, key_size=2048)
key = kms.create_key(KeySpec='RSA_2048', KeyUsage='SIGN_VERIFY', Origin='EXTERNAL')['KeyMetadata']['KeyId']
params = kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm='RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec='RSA_2048')
wrapping_key = serialization.load_der_public_key(params['PublicKey'])
aes_key = os.urandom(32)
oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
material = ours.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
wrapped = wrapping_key.encrypt(aes_key, oaep) + keywrap.aes_key_wrap_with_padding(aes_key, material)
kms.import_key_material(KeyId=key, ImportToken=params['ImportToken'], EncryptedKeyMaterial=wrapped,
                        ExpirationModel='KEY_MATERIAL_DOES_NOT_EXPIRE')
ours_public = ours.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
results['byokRsaPublicKey'] = kms.get_public_key(KeyId=key)['PublicKey'] == ours_public
message = b'boto3 pss digest'
digest = hashlib.sha256(message).digest()


def kms_verifies_digest(signature):
    try:
        return kms.verify(KeyId=key, Message=digest, MessageType='DIGEST', Signature=signature,
                          SigningAlgorithm='RSASSA_PSS_SHA_256')['SignatureValid']
    except kms.exceptions.KMSInvalidSignatureException:
        return False


results['pssDigestVerify'] = kms_verifies_digest(ours.sign(message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()))
results['pssDigestOtherSalt'] = kms_verifies_digest(ours.sign(message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=20), hashes.SHA256()))

print(json.dumps(results))
