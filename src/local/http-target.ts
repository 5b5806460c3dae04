import { request } from 'http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DeploymentTarget } from './deployment';
import { PrincipalConfig } from '../emulator/config';
import { ADMIN_ADD_PRINCIPAL } from '../emulator/server';

/**
 * A deployment target for an emulator in another process (`guarded-keys emulator`): principals are registered
 * through the emulator-only admin API, signed with SigV4 like any request. The first call is signed with the given
 * credentials (any work while the emulator has no principal); later ones with the first account root registered.
 */
export function httpDeploymentTarget(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string } = {
  accessKeyId: 'AKIAGUARDEDKEYSDEPLOY', secretAccessKey: 'guarded-keys-deploy',
}): DeploymentTarget {
  let signer = credentials;
  return {
    endpoint,
    async addPrincipal(principal: PrincipalConfig) {
      await post(endpoint, ADMIN_ADD_PRINCIPAL, JSON.stringify(principal), signer);
      if (principal.arn.endsWith(':root') && signer === credentials) signer = principal;
    },
  };
}

async function post(endpoint: string, target: string, body: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
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
        const error = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { __type?: string; message?: string };
        reject(new Error(`${target} failed: ${error.__type ?? res.statusCode}: ${error.message ?? ''}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
