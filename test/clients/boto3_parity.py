"""Drives the guarded-keys KMS emulator with boto3, as a team testing KMS policies from Python would.

Prints one JSON object of outcomes (error codes and messages as botocore reports them) for
test/emulator/conformance/non-js-clients.test.ts to compare with what AWS answers.

Usage: python boto3_parity.py ENDPOINT KEY_ID ACCESS_KEY SECRET
"""
import json
import sys

import boto3
import botocore
from botocore.config import Config

endpoint, key_id, access_key, secret = sys.argv[1:5]


def client(secret_key):
    return boto3.client('kms', endpoint_url=endpoint, region_name='eu-west-1', aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key, config=Config(retries={'max_attempts': 1}))


def outcome(call):
    """'ok', or [code, message] of the ClientError."""
    try:
        call()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return [e.response['Error']['Code'], e.response['Error'].get('Message', '')]


kms = client(secret)
blob = kms.encrypt(KeyId=key_id, Plaintext=b'hello')['CiphertextBlob']
own = kms.create_key(Description='from boto3')['KeyMetadata']
s3 = kms.describe_key(KeyId='alias/aws/s3')['KeyMetadata']
aliases = {a['AliasName']: a for a in kms.list_aliases()['Aliases']}

print(json.dumps({
    'decryptDenied': outcome(lambda: kms.decrypt(CiphertextBlob=blob))[0],
    'dryRun': outcome(lambda: kms.encrypt(KeyId=key_id, Plaintext=b'x', DryRun=True)),
    'aliasRefused': outcome(lambda: kms.enable_key_rotation(KeyId='alias/app')),
    'malformedKeyId': outcome(lambda: kms.describe_key(KeyId='x')),
    'keyUsageRequired': outcome(lambda: kms.create_key(KeySpec='HMAC_256')),
    'numberOfBytes': outcome(lambda: kms.generate_random(NumberOfBytes=1025)),
    'duplicateTags': outcome(lambda: kms.create_key(Tags=[{'TagKey': 'a', 'TagValue': '1'}, {'TagKey': 'a', 'TagValue': '2'}])),
    'badCiphertext': outcome(lambda: kms.decrypt(CiphertextBlob=b'garbage')),
    'macAlgorithm': outcome(lambda: kms.generate_mac(KeyId=key_id, Message=b'm', MacAlgorithm='INVALID')),
    'currentKeyMaterialId': len(own.get('CurrentKeyMaterialId', '')),
    'awsManagedKey': [s3['KeyManager'], aliases['alias/aws/s3'].get('TargetKeyId') == s3['KeyId']],
    'unboundAlias': sorted(aliases['alias/aws/lambda'].keys()),
    'wrongSecret': outcome(lambda: client('wrong-secret-123').list_keys())[0],
}))
