import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { httpDeploymentTarget } from '../../src/local';

/** The admin operations local deployments use over HTTP: guarded like AddPrincipal, kept in the data directory. */
describe('admin API: principals and stack state', () => {
  let dataDir: string;
  let emulator: RunningEmulator;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-admin-'));
    emulator = await startEmulator({ dataDir });
  });
  afterEach(async () => {
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('stack state and principals written over HTTP survive a restart', async () => {
    const admin = httpDeploymentTarget(emulator.endpoint, emulator.admin);
    const role = { arn: 'arn:aws:iam::111122223333:role/App', accessKeyId: 'AKIAAPPROLE', secretAccessKey: 'app-role-secret', identityPolicies: [] };
    await admin.addPrincipal(role);
    await admin.putStackState('111122223333', 'eu-west-1', 'App', { resources: { Key: { type: 'AWS::KMS::Key' } } });
    expect(await admin.stackState('111122223333', 'eu-west-1', 'Other')).toBeUndefined();

    await emulator.stop();
    emulator = await startEmulator({ dataDir });
    const again = httpDeploymentTarget(emulator.endpoint, emulator.admin);
    expect(await again.stackState('111122223333', 'eu-west-1', 'App')).toEqual({ resources: { Key: { type: 'AWS::KMS::Key' } } });
    expect(await again.principal('AKIAAPPROLE')).toEqual(role);
    await again.removePrincipal('AKIAAPPROLE');
    await again.putStackState('111122223333', 'eu-west-1', 'App', undefined);
    expect(await again.principal('AKIAAPPROLE')).toBeUndefined();
    expect(await again.stackState('111122223333', 'eu-west-1', 'App')).toBeUndefined();
  });

  test('a caller that is not the emulator\'s admin is refused (a KMS principal, an account root), and malformed input is a ValidationException', async () => {
    const admin = httpDeploymentTarget(emulator.endpoint, emulator.admin);
    await admin.addPrincipal({ arn: 'arn:aws:iam::111122223333:role/App', accessKeyId: 'AKIAAPPROLE', secretAccessKey: 'app-role-secret' });
    const asRole = httpDeploymentTarget(emulator.endpoint, { accessKeyId: 'AKIAAPPROLE', secretAccessKey: 'app-role-secret' });
    await expect(asRole.stackState('111122223333', 'eu-west-1', 'App')).rejects.toThrow(
      'GuardedKeys.GetStackState failed: AccessDeniedException: GuardedKeys.GetStackState needs the emulator\'s admin credential',
    );
    const asRoot = httpDeploymentTarget(emulator.endpoint, { accessKeyId: 'AKIAROOT111122223333', secretAccessKey: 'any-secret-at-all' });
    await expect(asRoot.putStackState('111122223333', 'eu-west-1', 'App', {})).rejects.toThrow('AccessDeniedException');
    await expect(asRole.principal('AKIAAPPROLE')).rejects.toThrow('AccessDeniedException');
    await expect(admin.stackState('not-an-account', 'eu-west-1', 'App')).rejects.toThrow('GuardedKeys.GetStackState failed: ValidationException');
  });
});
