"""Access tests from Python against a local deployment: the documented way for Python users (docs/pr-check.md).

The emulator and local deployment are TypeScript, so Python reaches them through the `guarded-keys` CLI
(`guarded-keys emulator`, `guarded-keys deploy`) and checks access with boto3 pointed at the emulator, using the
credentials `deploy` prints for each principal. GUARDED_KEYS_CLI names the command (python-smoke.sh sets it).
"""
import json
import os
import shlex
import subprocess

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_iam as iam
from botocore.exceptions import ClientError
from cdk_guarded_keys import GuardedKey

CLI = shlex.split(os.environ.get("GUARDED_KEYS_CLI", "npx guarded-keys"))


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    data = tmp_path_factory.mktemp("kms")
    process = subprocess.Popen([*CLI, "emulator", "--port", "0", "--data-dir", str(data)], stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline().strip()  # "listening on http://127.0.0.1:PORT"
        assert first.startswith("listening on "), first
        yield {"endpoint": first.removeprefix("listening on "), "admin_file": str(data / "admin.json")}
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def deployment(emulator, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk") / "cdk.out"
    # principal names are construct paths: the app records them only with path metadata on
    app = cdk.App(outdir=str(outdir), context={"aws:cdk:enable-path-metadata": True})
    stack = cdk.Stack(app, "PyData", env=cdk.Environment(account="111122223333", region="eu-west-1"))
    operators = iam.Role(stack, "Operators", assumed_by=iam.AccountRootPrincipal())
    service = iam.Role(stack, "Service", assumed_by=iam.AccountRootPrincipal())
    GuardedKey(stack, "CustomerData", aliases=["py/customers"], admins=[operators], users=[service],
               required_encryption_context={"tenant": "*"})
    app.synth()
    out = subprocess.run([*CLI, "deploy", "--endpoint", emulator["endpoint"], "--admin-file", emulator["admin_file"], str(outdir)],
                         check=True, capture_output=True, text=True).stdout
    return {**json.loads(out), "endpoint": emulator["endpoint"]}


def kms_as(deployment, path):
    principal = next(p for p in deployment["principals"] if p.get("path") == path)
    return boto3.client("kms", endpoint_url=deployment["endpoint"], region_name="eu-west-1",
                        aws_access_key_id=principal["accessKeyId"], aws_secret_access_key=principal["secretAccessKey"])


def test_the_service_encrypts_and_decrypts_with_a_tenant(deployment):
    kms = kms_as(deployment, "Service")
    sealed = kms.encrypt(KeyId="alias/py/customers", Plaintext=b"hello", EncryptionContext={"tenant": "acme"})
    opened = kms.decrypt(CiphertextBlob=sealed["CiphertextBlob"], EncryptionContext={"tenant": "acme"})
    assert opened["Plaintext"] == b"hello"


def test_the_service_is_denied_without_a_tenant(deployment):
    with pytest.raises(ClientError) as error:
        kms_as(deployment, "Service").encrypt(KeyId="alias/py/customers", Plaintext=b"hello")
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"


def test_operators_manage_but_never_use(deployment):
    operators = kms_as(deployment, "Operators")
    key_id = next(k for k in deployment["keys"] if k.get("path") == "CustomerData")["arn"]
    operators.update_key_description(KeyId=key_id, Description="customer data")
    with pytest.raises(ClientError) as error:
        operators.encrypt(KeyId=key_id, Plaintext=b"hello", EncryptionContext={"tenant": "acme"})
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
