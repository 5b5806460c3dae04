import {
  CreateGrantCommand, CreateKeyCommand, GetKeyPolicyCommand, ListGrantsCommand, ListKeyPoliciesCommand, ListResourceTagsCommand,
  ListRetirableGrantsCommand, PutKeyPolicyCommand, RetireGrantCommand, RevokeGrantCommand, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { errorOf, startTestEmulator, TestEmulator } from '../support';

describe('grants, tags and key policies', () => {
  let t: TestEmulator;
  let keyId: string;
  beforeEach(async () => {
    t = await startTestEmulator();
    keyId = (await t.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'a' }] }))).KeyMetadata!.KeyId!;
  });
  afterEach(() => t.emulator.stop());

  test('a key created without a policy gets the default policy: the account root may do everything', async () => {
    const { Policy, PolicyName } = await t.kms.send(new GetKeyPolicyCommand({ KeyId: keyId }));
    expect(PolicyName).toBe('default');
    expect(JSON.parse(Policy!).Statement).toEqual([expect.objectContaining({ Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*' })]);
    expect((await t.kms.send(new ListKeyPoliciesCommand({ KeyId: keyId }))).PolicyNames).toEqual(['default']);
  });

  test('PutKeyPolicy validates JSON, statements and the lockout safety check', async () => {
    const malformed = await errorOf(t.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: '{not json' })));
    expect(malformed.name).toBe('MalformedPolicyDocumentException');
    const lockout = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:role/other' }, Action: 'kms:Decrypt', Resource: '*' }] });
    expect((await errorOf(t.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: lockout })))).name).toBe('MalformedPolicyDocumentException');
    expect((await errorOf(t.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'other' })))).name).toBe('NotFoundException');
    // WHEN the check is bypassed THEN the root is locked out, as in KMS
    await t.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    expect((await errorOf(t.kms.send(new GetKeyPolicyCommand({ KeyId: keyId })))).name).toBe('AccessDeniedException');
  });

  test('grants are created, listed, retired and revoked', async () => {
    const grantee = 'arn:aws:iam::000000000000:role/worker';
    const retirer = 'arn:aws:iam::000000000000:role/retirer';
    const created = await t.kms.send(new CreateGrantCommand({
      KeyId: keyId,
      GranteePrincipal: grantee,
      RetiringPrincipal: retirer,
      Operations: ['Decrypt', 'Encrypt'],
      Constraints: { EncryptionContextSubset: { tenant: 'a' } },
      Name: 'worker-grant',
    }));
    const again = await t.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ['Decrypt'], Name: 'worker-grant' }));
    expect(again.GrantId).toBe(created.GrantId);
    const { Grants } = await t.kms.send(new ListGrantsCommand({ KeyId: keyId }));
    expect(Grants).toEqual([expect.objectContaining({
      GrantId: created.GrantId, GranteePrincipal: grantee, Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'a' } },
    })]);
    expect((await t.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: retirer }))).Grants).toHaveLength(1);
    await t.kms.send(new RetireGrantCommand({ GrantToken: created.GrantToken }));
    expect((await t.kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([]);
    const second = await t.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ['Decrypt'] }));
    await t.kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId }));
    expect((await errorOf(t.kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: second.GrantId })))).name).toBe('NotFoundException');
  });

  test('grant operations are validated', async () => {
    const err = await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Destroy' as never] })));
    expect(err.name).toBe('ValidationException');
  });

  test('tags are added, listed and removed; aws: keys are refused', async () => {
    await t.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }] }));
    expect((await t.kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'a' }]);
    await t.kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['team'] }));
    expect((await t.kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: 'env', TagValue: 'prod' }]);
    expect((await errorOf(t.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] })))).name).toBe('TagException');
  });
});
