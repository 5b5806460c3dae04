import { request } from 'http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DeploymentTarget } from './deployment';
import { ADMIN_ADD_PRINCIPAL } from '../emulator/admin';
import { AdminCredential, PrincipalConfig } from '../emulator/config';

/**
 * A deployment target for an emulator in another process (`guarded-keys emulator`): principals are registered
 * through the emulator-only admin API, signed with SigV4 as the emulator's admin (the credential it printed at
 * start, or kept in `<data-dir>/admin.json`). No KMS principal, not even an account root, may register principals.
 */
export function httpDeploymentTarget(endpoint: string, admin: AdminCredential): DeploymentTarget {
  if (!admin?.accessKeyId || !admin?.secretAccessKey) {
    throw new TypeError('httpDeploymentTarget needs the emulator\'s admin credential { accessKeyId, secretAccessKey }');
  }
  return {
    endpoint,
    async addPrincipal(principal: PrincipalConfig) {
      await post(endpoint, ADMIN_ADD_PRINCIPAL, JSON.stringify(principal), admin);
    },
  };
}

async function post(endpoint: string, target: string, body: string, credentials: AdminCredential): Promise<void> {
  const url = new URL(endpoint);
  const unsigned = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { 'host': url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  const signed = await new SignatureV4({
    credentials, region: 'us-east-1', service: 'kms', sha256: Hash.bind(null, 'sha256'), uriEscapePath: true,
  }).sign(unsigned);
  await new Promise<void>((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers: signed.headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200) return resolve();
        let error: { __type?: string; message?: string } = {};
        try {
          error = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        } catch { /* not JSON: report the status */ }
        reject(new Error(`${target} failed: ${error.__type ?? res.statusCode}: ${error.message ?? ''}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
