import { execFile } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { PrincipalConfig, RunningEmulator, startEmulator, THROTTLING_MESSAGE } from '../../../src/emulator';
import { availableClients, isolatedEnv, PYTHON } from '../../clients/support';

/**
 * Request quotas and the audit trail through boto3 (test/clients/boto3_quotas_audit.py): a Python service sees
 * KMS's ThrottlingException, botocore's standard retries get through a burst, and the admin API's audit trail
 * counts the throttled calls and lists the key nobody used. Skips, saying why, without boto3.
 */
const ROOT: PrincipalConfig = { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIAROOTQUOTAS', secretAccessKey: 'root-secret-quotas' };
const { boto3 } = availableClients();
const run = promisify(execFile);

(boto3 ? describe : describe.skip)('quotas and the audit trail through boto3', () => {
  let emulator: RunningEmulator;
  // boto3 signs with the system clock, so the emulator keeps the system clock (the quotas refill by it too).
  beforeAll(async () => { emulator = await startEmulator({ config: { principals: [ROOT] }, quotas: { scale: 0.001 } }); });
  afterAll(() => emulator.stop());

  test('ThrottlingException as KMS words it; standard retries get through; the trail counts throttling and finds the unused key', async () => {
    const { stdout } = await run(PYTHON, [
      join(__dirname, '../../clients/boto3_quotas_audit.py'), emulator.endpoint, ROOT.accessKeyId, ROOT.secretAccessKey,
      emulator.admin.accessKeyId, emulator.admin.secretAccessKey,
    ], { encoding: 'utf8', env: isolatedEnv() });
    expect(JSON.parse(stdout)).toEqual({
      createKeyThrottled: ['ThrottlingException', THROTTLING_MESSAGE],
      burstThrottled: true,
      burstOtherErrors: [],
      retriedFailures: [],
      describeKeyThrottledCounted: true,
      decryptCounted: 1,
      unusedKeyListed: true,
      usedKeyListed: false,
    });
  }, 120_000);
});

if (!boto3) {
  // eslint-disable-next-line no-console
  console.warn('skipping boto3 quota and audit checks: no python with boto3 (run test/clients/setup.sh)');
}
