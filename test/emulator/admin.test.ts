import { mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { errorOf } from './support';
import { ADMIN_FILE, kmsClientFor, PrincipalConfig, RunningEmulator, startEmulator } from '../../src/emulator';
import { httpDeploymentTarget } from '../../src/local/http-target';

const ROOT_A = { arn: 'arn:aws:iam::111111111111:root', accessKeyId: 'AKIAROOTA', secretAccessKey: 'root-a-secret' };
const ROOT_B = { arn: 'arn:aws:iam::222222222222:root', accessKeyId: 'AKIAROOTB', secretAccessKey: 'root-b-secret' };

/** Registers a principal over HTTP, signed with `credential`, and returns the error message (or 'ok'). */
async function addPrincipalAs(
  emulator: RunningEmulator, credential: { accessKeyId: string; secretAccessKey: string }, principal: PrincipalConfig,
): Promise<string> {
  try {
    await httpDeploymentTarget(emulator.endpoint, credential).addPrincipal(principal);
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * The emulator-only admin API (`GuardedKeys.AddPrincipal`) needs the emulator's own admin credential: no KMS
 * principal, not even an account root, can register principals, so one account cannot take over another.
 */
describe('the admin API', () => {
  let emulator: RunningEmulator;
  beforeEach(async () => { emulator = await startEmulator({ config: { principals: [ROOT_A, ROOT_B] } }); });
  afterEach(() => emulator.stop());

  test('an account root cannot register a principal in another account, nor replace its access key', async () => {
    // GIVEN account 222 encrypted something under its own key
    const b = kmsClientFor(emulator, { region: 'eu-west-1', ...ROOT_B });
    const keyId = (await b.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await b.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('b data') }));

    // WHEN the root of 111 registers a principal in 222, or re-registers 222's root access key
    const intruder = { arn: 'arn:aws:iam::222222222222:role/Intruder', accessKeyId: 'AKIAINTRUDER', secretAccessKey: 'intruder-secret' };
    const takeover = { ...ROOT_B, secretAccessKey: 'stolen-secret' };
    const denied = /GuardedKeys.AddPrincipal failed: AccessDeniedException: GuardedKeys.AddPrincipal needs the emulator's admin credential/;
    expect(await addPrincipalAs(emulator, ROOT_A, intruder)).toMatch(denied);
    expect(await addPrincipalAs(emulator, ROOT_A, takeover)).toMatch(denied);
    // (not even for its own account)
    expect(await addPrincipalAs(emulator, ROOT_A, { ...intruder, arn: 'arn:aws:iam::111111111111:role/Mine' })).toMatch(denied);

    // THEN neither credential exists, and 222's owner still decrypts its data
    const asIntruder = kmsClientFor(emulator, { region: 'eu-west-1', ...intruder });
    expect((await errorOf(asIntruder.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('UnrecognizedClientException');
    const out = await b.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('b data');
    [b, asIntruder].forEach(c => c.destroy());
  });

  test('the admin credential registers principals; a wrong admin secret is refused', async () => {
    const app = { arn: 'arn:aws:iam::111111111111:role/App', accessKeyId: 'AKIAAPP', secretAccessKey: 'app-secret-1' };
    expect(await addPrincipalAs(emulator, { ...emulator.admin, secretAccessKey: 'not-the-admin-secret' }, app)).toMatch(/InvalidSignatureException/);
    expect(await addPrincipalAs(emulator, emulator.admin, app)).toBe('ok');
    const asApp = kmsClientFor(emulator, { region: 'eu-west-1', ...app });
    // The role exists now (IAM grants it nothing, so KMS refuses, but as an authenticated caller).
    expect((await errorOf(asApp.send(new ListKeysCommand({})))).name).toBe('AccessDeniedException');
    asApp.destroy();
  });

  test('the admin credential is not a KMS principal, and no principal may take its access key id', async () => {
    const asAdmin = kmsClientFor(emulator, { region: 'eu-west-1', ...emulator.admin });
    expect((await errorOf(asAdmin.send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
    asAdmin.destroy();
    const squatter = { arn: 'arn:aws:iam::111111111111:root', accessKeyId: emulator.admin.accessKeyId, secretAccessKey: 'squatter-secret' };
    expect(await addPrincipalAs(emulator, emulator.admin, squatter)).toMatch(/ValidationException: A principal cannot use the admin access key id/);
  });

  test('the admin API validates a principal as the configuration file does (unknown fields refused)', async () => {
    const typo = { arn: 'arn:aws:iam::111111111111:role/App', accessKeyId: 'AKIAAPP', secretAccessKey: 'app-secret-1', policies: [] };
    expect(await addPrincipalAs(emulator, emulator.admin, typo as PrincipalConfig))
      .toMatch(/ValidationException: .*principals\[0\]\.policies is not a known field/);
  });

  test('the admin is required even while no principal is configured (when any KMS caller is the default root)', async () => {
    const open = await startEmulator();
    try {
      const someone = { accessKeyId: 'AKIAANYONE', secretAccessKey: 'anything-goes' };
      const p = { arn: 'arn:aws:iam::000000000000:role/Late', accessKeyId: 'AKIALATE', secretAccessKey: 'late-secret' };
      expect(await addPrincipalAs(open, someone, p)).toMatch(/AccessDeniedException/);
      expect(await addPrincipalAs(open, open.admin, p)).toBe('ok');
    } finally {
      await open.stop();
    }
  });
});

describe('where the admin credential comes from', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-admin-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('generated once per data directory, kept there (mode 0600) and reused after a restart', async () => {
    const first = await startEmulator({ dataDir });
    await first.stop();
    const second = await startEmulator({ dataDir });
    await second.stop();
    expect(first.admin.source).toBe('generated');
    expect(second.admin).toEqual({ ...first.admin, source: 'data-dir' });
    expect(JSON.parse(readFileSync(join(dataDir, ADMIN_FILE), 'utf8'))).toEqual({ accessKeyId: first.admin.accessKeyId, secretAccessKey: first.admin.secretAccessKey });
    expect((statSync(join(dataDir, ADMIN_FILE)).mode % 0o1000).toString(8)).toBe('600');
  });

  test('the configuration file can set it; without a data directory each start makes a new one', async () => {
    const admin = { accessKeyId: 'GKADMINCONFIGURED', secretAccessKey: 'a-configured-admin-secret' };
    const configured = await startEmulator({ config: { admin } });
    const a = await startEmulator();
    const b = await startEmulator();
    await Promise.all([configured, a, b].map(e => e.stop()));
    expect(configured.admin).toEqual({ ...admin, source: 'config' });
    expect(a.admin.accessKeyId).not.toBe(b.admin.accessKeyId);
    expect(a.admin.secretAccessKey).not.toBe(b.admin.secretAccessKey);
  });

  test('a short admin secret, or one shared with a principal, is refused', async () => {
    await expect(startEmulator({ config: { admin: { accessKeyId: 'GKADMIN', secretAccessKey: 'short' } } }))
      .rejects.toThrow('admin.secretAccessKey must be a string of at least 16 characters');
    await expect(startEmulator({ config: { admin: { accessKeyId: 'AKIAROOTA', secretAccessKey: 'a-long-enough-secret' }, principals: [ROOT_A] } }))
      .rejects.toThrow('principals[0].accessKeyId AKIAROOTA is declared twice (or is the admin\'s)');
  });
});
