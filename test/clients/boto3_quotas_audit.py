"""KMS's request quotas and the emulator's audit trail through boto3, against an emulator started with
`quotas: { scale: 0.001 }`: what a Python service's retry logic and its access review see.

- ThrottlingException with KMS's message when a quota is spent (CreateKey: 5/s at scale 1, so one token here);
- a burst of DescribeKey over its quota (2,000/s at scale 1, 2 here) without retries gets throttled, and
  another with botocore's standard retry mode completes with none failing;
- the audit trail read over the admin API (GuardedKeys.GetAuditTrail, SigV4-signed by botocore with the admin
  credential) counts the throttled calls and lists the key no request used among its unused-access findings.

Prints one JSON object for test/emulator/conformance/clients-quotas-audit.test.ts.
Usage: python boto3_quotas_audit.py ENDPOINT ACCESS_KEY SECRET ADMIN_ACCESS_KEY ADMIN_SECRET
"""
import json
import sys
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

endpoint, access_key, secret, admin_key, admin_secret = sys.argv[1:6]


def client(region, retries):
    return boto3.client('kms', endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key,
                        aws_secret_access_key=secret, config=Config(retries=retries))


def error_of(call):
    try:
        call()
        return None
    except ClientError as err:
        return [err.response['Error']['Code'], err.response['Error']['Message']]


once = client('eu-west-1', {'max_attempts': 1})
retrying = client('eu-west-1', {'mode': 'standard', 'max_attempts': 10})
results = {}

used = once.create_key()['KeyMetadata']
results['createKeyThrottled'] = error_of(once.create_key)
# Quotas are per account and Region: us-east-1 has its own CreateKey token.
unused = client('us-east-1', {'max_attempts': 1}).create_key()['KeyMetadata']

blob = once.encrypt(KeyId=used['KeyId'], Plaintext=b'counted')['CiphertextBlob']
once.decrypt(CiphertextBlob=blob)

# Calls one after the other until one is throttled, at most 200. It takes three here, unless the machine is so
# loaded that calls come slower than the quota refills (2 a second): a fixed burst of 10 then went unthrottled in CI.
burst = []
for _ in range(200):
    burst.append(error_of(lambda: once.describe_key(KeyId=used['KeyId'])))
    if burst[-1] and burst[-1][0] == 'ThrottlingException':
        break
results['burstThrottled'] = sum(1 for e in burst if e and e[0] == 'ThrottlingException') > 0
results['burstOtherErrors'] = [e for e in burst if e and e[0] != 'ThrottlingException']
retried = [error_of(lambda: retrying.describe_key(KeyId=used['KeyId'])) for _ in range(6)]
results['retriedFailures'] = [e for e in retried if e]

# The admin API is JSON 1.1 like KMS, signed with SigV4 for the kms service.
request = AWSRequest(method='POST', url=endpoint + '/', data=json.dumps({}).encode(), headers={
    'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'GuardedKeys.GetAuditTrail'})
SigV4Auth(Credentials(admin_key, admin_secret), 'kms', 'eu-west-1').add_auth(request)
with urllib.request.urlopen(urllib.request.Request(endpoint + '/', data=request.body, headers=dict(request.headers), method='POST')) as response:
    trail = json.load(response)
counts = {(c['keyArn'], c['operation']): c for c in trail['Counts']}
results['describeKeyThrottledCounted'] = counts.get((used['Arn'], 'DescribeKey'), {}).get('throttled', 0) > 0
results['decryptCounted'] = counts.get((used['Arn'], 'Decrypt'), {}).get('calls')
results['unusedKeyListed'] = unused['Arn'] in trail['UnusedAccess']['unusedKeys']
results['usedKeyListed'] = used['Arn'] in trail['UnusedAccess']['unusedKeys']
print(json.dumps(results))
