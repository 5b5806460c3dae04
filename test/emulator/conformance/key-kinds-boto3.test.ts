import { execFile, spawnSync } from 'child_process';
import { join } from 'path';
import { promisify } from 'util';
import { PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { PYTHON as CLIENTS_PYTHON } from '../../clients/support';

/**
 * The new key kinds and operations through a non-JS client (boto3, SigV4 verified), each result checked with
 * pyca/cryptography rather than by asking the emulator. Skips, saying why, without a python that has both.
 */
const ROOT: PrincipalConfig = { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIAROOTKINDS', secretAccessKey: 'root-secret-kinds' };
const SCRIPT = join(__dirname, 'independent/boto3_key_kinds.py');
const python = [CLIENTS_PYTHON, 'python3'].find(p => spawnSync(p, ['-c', 'import boto3; from cryptography.hazmat.primitives.asymmetric import mldsa'], { stdio: 'ignore' }).status === 0);
const run = promisify(execFile);

(python ? describe : describe.skip)('key kinds through boto3, checked by pyca/cryptography', () => {
  let emulator: RunningEmulator;
  // boto3 signs with the system clock, so the emulator keeps the system clock.
  beforeAll(async () => { emulator = await startEmulator({ config: { principals: [ROOT] } }); });
  afterAll(() => emulator.stop());

  test('digest ECDSA (secp256k1, P-384), Ed25519, ML-DSA-65 (RAW and EXTERNAL_MU), ECDH, ReEncrypt via RSA, an imported RSA key and PSS DIGEST Verify all check out', async () => {
    const { stdout } = await run(python!, [SCRIPT, emulator.endpoint, ROOT.accessKeyId, ROOT.secretAccessKey], { encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      secp256k1Digest: true,
      p384Digest: true,
      ed25519: true,
      mlDsa65: true,
      mlDsa65Verify: true,
      mlDsa65ExternalMu: true,
      mlDsa65ExternalMuVerify: true,
      ecdh: true,
      reEncryptRsa: true,
      byokRsaPublicKey: true,
      pssDigestVerify: true,
      pssDigestOtherSalt: false,
    });
  });
});

if (!python) {
  // eslint-disable-next-line no-console
  console.warn('skipping boto3 key-kind checks: no python with boto3 and cryptography>=46 (run test/clients/setup.sh)');
}
