"""Brings key material to the guarded-keys KMS emulator with boto3 and the OpenSSL command line, the way AWS's
guide to importing key material does it (RSA-OAEP of an AES-256 key, then AES key wrap with padding; or RSA-OAEP
alone), then rotates it on demand, imports HMAC material, and imports into a multi-Region key and its replica:
https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html

Prints one JSON object of outcomes for test/emulator/conformance/non-js-clients.test.ts.

Usage: python boto3_byok.py ENDPOINT ACCESS_KEY SECRET WORKDIR
"""
import hashlib
import hmac
import json
import os
import subprocess
import sys

import boto3
from botocore.config import Config

endpoint, access_key, secret, workdir = sys.argv[1:5]
kms = boto3.client('kms', endpoint_url=endpoint, region_name='eu-west-1', aws_access_key_id=access_key,
                   aws_secret_access_key=secret, config=Config(retries={'max_attempts': 1}))


def path(name):
    return os.path.join(workdir, name)


def openssl(*args):
    subprocess.run(['openssl', *args], check=True, capture_output=True)


key = kms.create_key(Origin='EXTERNAL')['KeyMetadata']
params = kms.get_parameters_for_import(KeyId=key['KeyId'], WrappingAlgorithm='RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec='RSA_3072')
with open(path('public.der'), 'wb') as f:
    f.write(params['PublicKey'])
with open(path('material.bin'), 'wb') as f:
    f.write(os.urandom(32))
with open(path('aes.bin'), 'wb') as f:
    f.write(os.urandom(32))
openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', path('public.der'), '-in', path('aes.bin'), '-out', path('aes.wrapped'),
        '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256')
with open(path('aes.bin'), 'rb') as f:
    aes_hex = f.read().hex()
openssl('enc', '-id-aes256-wrap-pad', '-K', aes_hex, '-iv', 'A65959A6', '-in', path('material.bin'), '-out', path('material.wrapped'))
with open(path('aes.wrapped'), 'rb') as f, open(path('material.wrapped'), 'rb') as g:
    wrapped = f.read() + g.read()

imported = kms.import_key_material(KeyId=key['KeyId'], ImportToken=params['ImportToken'], EncryptedKeyMaterial=wrapped,
                                   ExpirationModel='KEY_MATERIAL_DOES_NOT_EXPIRE')
ciphertext = kms.encrypt(KeyId=key['KeyId'], Plaintext=b'from python')['CiphertextBlob']
after = kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['KeyState']


def import_oaep(key_id, material, name, client=kms, **options):
    """Wraps material with RSAES_OAEP_SHA_256 alone (openssl pkeyutl) and imports it."""
    p = client.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm='RSAES_OAEP_SHA_256', WrappingKeySpec='RSA_2048')
    with open(path(name + '.public.der'), 'wb') as f:
        f.write(p['PublicKey'])
    with open(path(name + '.bin'), 'wb') as f:
        f.write(material)
    openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', path(name + '.public.der'), '-in', path(name + '.bin'),
            '-out', path(name + '.wrapped'), '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256')
    with open(path(name + '.wrapped'), 'rb') as f:
        return client.import_key_material(KeyId=key_id, ImportToken=p['ImportToken'], EncryptedKeyMaterial=f.read(),
                                       ExpirationModel='KEY_MATERIAL_DOES_NOT_EXPIRE', **options)


# On-demand rotation of imported material: NEW_KEY_MATERIAL waits as PENDING_ROTATION, RotateKeyOnDemand makes it current,
# and the ciphertext made before still decrypts.
rotated = import_oaep(key['KeyId'], os.urandom(32), 'next', ImportType='NEW_KEY_MATERIAL')
pending = [r['KeyMaterialState'] for r in kms.list_key_rotations(KeyId=key['KeyId'], IncludeKeyMaterial='ALL_KEY_MATERIAL')['Rotations']]
kms.rotate_key_on_demand(KeyId=key['KeyId'])
current = kms.describe_key(KeyId=key['KeyId'])['KeyMetadata']['CurrentKeyMaterialId']

# Imported HMAC material: KMS's MAC is Python's HMAC with our bytes.
mac_key = kms.create_key(KeySpec='HMAC_384', KeyUsage='GENERATE_VERIFY_MAC', Origin='EXTERNAL')['KeyMetadata']['KeyId']
mac_material = os.urandom(64)
import_oaep(mac_key, mac_material, 'mac')
mac = kms.generate_mac(KeyId=mac_key, MacAlgorithm='HMAC_SHA_384', Message=b'python mac')['Mac']

# A multi-Region key with imported material: the replica starts PendingImport (KMS does not copy the material), takes
# the primary's material, and then decrypts the primary's ciphertext.
us = boto3.client('kms', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id=access_key,
                  aws_secret_access_key=secret, config=Config(retries={'max_attempts': 1}))
primary = kms.create_key(Origin='EXTERNAL', MultiRegion=True)['KeyMetadata']['KeyId']
shared = os.urandom(32)
import_oaep(primary, shared, 'primary')
portable = kms.encrypt(KeyId=primary, Plaintext=b'across regions')['CiphertextBlob']
kms.replicate_key(KeyId=primary, ReplicaRegion='us-east-1')
replica_state = us.describe_key(KeyId=primary)['KeyMetadata']['KeyState']
import_oaep(primary, shared, 'replica', client=us)

print(json.dumps({
    'replicaBeforeImport': replica_state,
    'replicaDecrypts': us.decrypt(CiphertextBlob=portable)['Plaintext'].decode(),
    'before': key['KeyState'],
    'after': after,
    'keyMaterialId': len(imported['KeyMaterialId']),
    'roundTrip': kms.decrypt(CiphertextBlob=ciphertext)['Plaintext'].decode(),
    'pendingRotation': pending,
    'rotatedToNew': current == rotated['KeyMaterialId'],
    'hmac': mac == hmac.new(mac_material, b'python mac', hashlib.sha384).digest(),
}))
