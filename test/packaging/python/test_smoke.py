"""Smoke test of the Python package (dist/python/*.whl) in a fresh venv: test/packaging/python-smoke.sh runs it.

The same app in every language: a GuardedKey, a MultiRegionKey with a replica in another region, and KeyGuard
over the app; the assertions read the synthesized templates.
"""
import aws_cdk as cdk
import pytest
from aws_cdk import assertions, aws_iam as iam, aws_kms as kms
from cdk_guarded_keys import GuardedKey, GuardedReplicaKey, KeyGuard, MultiRegionKey

ACCOUNT = "111122223333"


def make_app():
    app = cdk.App()
    primary = cdk.Stack(app, "Primary", env=cdk.Environment(account=ACCOUNT, region="eu-west-1"), cross_region_references=True)
    replica = cdk.Stack(app, "Replica", env=cdk.Environment(account=ACCOUNT, region="us-east-1"), cross_region_references=True)
    admin = iam.Role(primary, "Admin", assumed_by=iam.AccountRootPrincipal(), role_name="key-admin")
    user = iam.Role(primary, "User", assumed_by=iam.AccountRootPrincipal(), role_name="key-user")
    GuardedKey(primary, "Data", admins=[admin], users=[user], via_services=["s3"], aliases=["data/customers"])
    global_key = MultiRegionKey(primary, "Global", admins=[admin], users=[user])
    GuardedReplicaKey(replica, "GlobalReplica", primary=global_key, aliases=["global"])
    cdk.Aspects.of(app).add(KeyGuard())
    return app, primary, replica


def test_guarded_key_multi_region_key_and_replica_synthesize():
    _, primary, replica = make_app()
    template = assertions.Template.from_stack(primary)
    template.resource_count_is("AWS::KMS::Key", 2)
    template.has_resource_properties("AWS::KMS::Key", {"MultiRegion": True, "EnableKeyRotation": True})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/data/customers"})
    template.has_resource("AWS::KMS::Key", {"DeletionPolicy": "Retain"})
    replica_template = assertions.Template.from_stack(replica)
    replica_template.resource_count_is("AWS::KMS::ReplicaKey", 1)
    replica_template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/global"})
    assertions.Annotations.from_stack(primary).has_no_error("*", assertions.Match.any_value())


def test_key_guard_reports_a_plain_key_without_rotation():
    app, primary, _ = make_app()
    kms.Key(primary, "Plain", enable_key_rotation=False)
    assertions.Annotations.from_stack(primary).has_error("/Primary/Plain/Resource", assertions.Match.string_like_regexp(r"\[GK1\]"))


def test_a_bad_prop_fails_with_a_message_naming_it():
    app = cdk.App()
    stack = cdk.Stack(app, "Bad")
    # jsii raises a JavaScript error as RuntimeError, with its message
    with pytest.raises(RuntimeError, match="pendingWindow.*Received: 3 days"):
        GuardedKey(stack, "Key", pending_window=cdk.Duration.days(3))
