import { execFile } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { availableClients, GO_CLIENT_DIR, isolatedEnv } from '../../clients/support';

/**
 * The new key kinds through the Go SDK v2 (test/clients/go/key_kinds.go), each result checked by Go's crypto or by
 * decred's secp256k1 (what go-ethereum's pure-Go build recovers signers with), not by the emulator: secp256k1
 * signing as an Ethereum signer does it (keccak-256 DIGEST, low-S normalization, recovery id, address), RSASSA-PSS
 * over a DIGEST both ways, Ed25519 (pure and Ed25519ph over a DIGEST) and ECDH. Skips, saying why, without Go.
 */
const ROOT: PrincipalConfig = { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIAROOTGOKINDS', secretAccessKey: 'root-secret-go-kinds' };
const { go } = availableClients();
const run = promisify(execFile);

(go ? describe : describe.skip)('key kinds through the Go SDK v2, checked by Go\'s crypto', () => {
  let emulator: RunningEmulator;
  let dir: string;
  // The Go SDK signs with the system clock, so the emulator keeps the system clock.
  beforeAll(async () => {
    emulator = await startEmulator({ config: { principals: [ROOT] } });
    dir = mkdtempSync(join(tmpdir(), 'gk-go-kinds-'));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('Ethereum-style secp256k1 signatures recover to the key\'s address; PSS DIGEST both ways; Ed25519 and Ed25519ph; ECDH', async () => {
    // Built here, from test/clients/go's pinned go.mod/go.sum (setup.sh pre-fetches the modules).
    await run('go', ['build', '-o', join(dir, 'kms-client'), '.'], { cwd: GO_CLIENT_DIR, env: isolatedEnv(), encoding: 'utf8' });
    const { stdout } = await run(join(dir, 'kms-client'), ['key-kinds', emulator.endpoint, ROOT.accessKeyId, ROOT.secretAccessKey], { env: isolatedEnv(), encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      ethereumAllRecovered: true,
      ethereumSawHighS: true,
      pss: { goVerifiesDigestSignature: true, goVerifiesRawSignature: true, kmsVerifiesRawAsDigest: 'ok', kmsRefusesFlipped: 'KMSInvalidSignatureException' },
      ed25519: { pure: true, ph: true },
      ecdh: true,
    });
  }, 300_000);
});

if (!go) {
  // eslint-disable-next-line no-console
  console.warn('skipping Go key-kind checks: no go on PATH (install Go 1.24 or later; test/clients/setup.sh)');
}
