import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import { buildMultiRegionApp, PRIMARY_REGION, REPLICA_REGION } from '../../integ/integ.multi-region';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { checkAccess, deployLocally, LocalDeployment } from '../../src/local';
import '../../src/local/jest';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';

/**
 * The multi-Region example as a cdk.out with three stacks (primary, replica, partner account), deployed into the
 * emulator in dependency order, cross-region references resolved.
 */
describe('integ: multi-Region keys, signing and cross-account use', () => {
  let emulator: RunningEmulator;
  let deployment: LocalDeployment;
  let outdir: string;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'guarded-keys-integ-'));
    buildMultiRegionApp(new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } })).synth();
    emulator = await startEmulator();
    deployment = await deployLocally(outdir, { emulator });
  });
  afterAll(async () => {
    deployment.close();
    await emulator.stop();
    rmSync(outdir, { recursive: true, force: true });
  });

  test('the primary and its replica share the key id, in their own regions', () => {
    const primary = deployment.key('KeysPrimary/DataKey');
    const replica = deployment.key('KeysReplica/DataKeyReplica');
    expect(primary.keyId).toMatch(/^mrk-/);
    expect(replica.keyId).toBe(primary.keyId);
    expect([primary.region, replica.region]).toEqual([PRIMARY_REGION, REPLICA_REGION]);
    expect(replica.replica).toBe(true);
  });

  test('ciphertext from the primary decrypts in the replica region', async () => {
    const service = deployment.principal('KeysPrimary/Service');
    const eu = deployment.clientFor(service, { region: PRIMARY_REGION, viaService: 's3' });
    const us = deployment.clientFor(service, { region: REPLICA_REGION, viaService: 's3' });
    const { CiphertextBlob } = await eu.send(new EncryptCommand({ KeyId: 'alias/app/data', Plaintext: Buffer.from('replicated') }));
    const out = await us.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('replicated');
    expect(out.KeyId).toBe(deployment.key('KeysReplica/DataKeyReplica').arn);
  });

  test('the replica\'s ViaService admits its own region\'s S3 and refuses the primary region\'s', async () => {
    await expect(deployment).toAllow('Service', 'kms:Encrypt', 'KeysReplica/DataKeyReplica', { viaService: `s3.${REPLICA_REGION}.amazonaws.com` });
    await expect(deployment).toDeny('Service', 'kms:Encrypt', 'KeysReplica/DataKeyReplica', { viaService: `s3.${PRIMARY_REGION}.amazonaws.com` });
    await expect(deployment).toAllow('Service', 'kms:Encrypt', 'KeysPrimary/DataKey', { viaService: `s3.${PRIMARY_REGION}.amazonaws.com` });
  });

  test('operators administer both regions and use neither', async () => {
    await expect(deployment).toAllow('Operators', 'kms:UpdateKeyDescription', 'KeysReplica/DataKeyReplica');
    await expect(deployment).toDeny('Operators', 'kms:Encrypt', 'KeysReplica/DataKeyReplica', { viaService: 's3' });
  });

  test('the partner decrypts only with both sides allowing', async () => {
    await expect(deployment).toAllow('PartnerReader', 'kms:Decrypt', 'KeysPrimary/DataKey', { viaService: 's3' });
    await expect(deployment).toDeny('PartnerReader', 'kms:Encrypt', 'KeysPrimary/DataKey', { viaService: 's3' });
    // WHEN the partner's own IAM side is missing (a principal of that account without the policy)
    const partner = deployment.principal('PartnerReader');
    emulator.addPrincipal({ arn: `arn:aws:iam::${partner.account}:role/NoPolicy`, accessKeyId: 'AKIANOPOLICY', secretAccessKey: 'no-policy-secret' });
    const stranger = { ...partner, arn: `arn:aws:iam::${partner.account}:role/NoPolicy`, accessKeyId: 'AKIANOPOLICY', secretAccessKey: 'no-policy-secret' };
    // THEN the key policy alone does not let it in
    expect((await checkAccess(deployment, stranger, 'kms:Decrypt', 'KeysPrimary/DataKey', { viaService: 's3' })).allowed).toBe(false);
  });

  test('signers sign, verifiers only verify', async () => {
    await expect(deployment).toAllow('Releaser', 'kms:Sign', 'alias/release/signing');
    await expect(deployment).toDeny('Verifier', 'kms:Sign', 'alias/release/signing');
    await expect(deployment).toAllow('Verifier', 'kms:Verify', 'alias/release/signing');
    await expect(deployment).toAllow('Verifier', 'kms:GetPublicKey', 'alias/release/signing');
    await expect(deployment).toDeny('Releaser', 'kms:Verify', 'alias/release/signing');
  });
});
