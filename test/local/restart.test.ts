import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DecryptCommand, EncryptCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { ACCOUNT, appTemplate, operationsSince, REGION, trustingPolicy } from './support';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment } from '../../src/local';

/**
 * With `--data-dir`, what a deployment made survives a restart: keys, the principals and their credentials, and the
 * stacks' state, so the restarted emulator serves the same deployment and a redeployment is an update of it.
 */
describe('deployLocally: restart with a data directory, then redeploy', () => {
  let dataDir: string;
  let emulator: RunningEmulator | undefined;
  const open: LocalDeployment[] = [];
  const restart = async () => {
    open.splice(0).forEach(d => d.close());
    await emulator?.stop();
    emulator = await startEmulator({ dataDir });
    return emulator;
  };
  const deploy = async (template = appTemplate()) => {
    const d = await deployLocally(template, { emulator: emulator!, account: ACCOUNT, region: REGION, stackName: 'App' });
    open.push(d);
    return d;
  };

  beforeEach(() => { dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-restart-')); });
  afterEach(async () => {
    open.splice(0).forEach(d => d.close());
    await emulator?.stop();
    emulator = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the restarted emulator knows the principals; redeploying changes nothing; an update is an update', async () => {
    // GIVEN a deployment, and a ciphertext the app role made
    await restart();
    const first = await deploy();
    const { accessKeyId, secretAccessKey } = first.principal('App');
    const { CiphertextBlob } = await first.clientFor('App').send(new EncryptCommand({ KeyId: 'alias/app/data', Plaintext: Buffer.from('kept') }));

    // WHEN the emulator restarts on the same data directory
    const second = await restart();
    // THEN the app role's credentials still work (the principal was kept, not re-registered)
    const app = kmsClientFor(second, { region: REGION, accessKeyId, secretAccessKey });
    try {
      expect(Buffer.from((await app.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('kept');
    } finally {
      app.destroy();
    }
    // AND deploying the same template again makes no KMS call and keeps every id and credential
    const from = second.decisions().length;
    const again = await deploy();
    expect(operationsSince(second, from)).toEqual([]);
    expect(again.keys).toEqual(first.keys);
    expect(again.principals).toEqual(first.principals);

    // WHEN the app changes, and the emulator restarts once more
    const reader = { Sid: 'Reader', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:Decrypt', Resource: '*' };
    const at = second.decisions().length;
    await deploy(appTemplate({ key: { KeyPolicy: trustingPolicy(reader) } }));
    expect(operationsSince(second, at)).toEqual(['PutKeyPolicy', 'PutKeyPolicy']);
    const third = await restart();
    // THEN the updated state was kept too: the same changed app deploys with no call
    const updated = await deploy(appTemplate({ key: { KeyPolicy: trustingPolicy(reader) } }));
    expect(operationsSince(third, 0)).toEqual([]);
    const policy = await updated.deployerClientFor(ACCOUNT, REGION).send(new GetKeyPolicyCommand({ KeyId: updated.key('Key').keyId }));
    expect(JSON.parse(policy.Policy!).Statement).toContainEqual(reader);
  });
});
