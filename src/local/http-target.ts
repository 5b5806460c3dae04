import { request } from 'http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DeploymentTarget } from './deployment';
import { PrincipalConfig } from '../emulator/config';
import { ADMIN_ADD_PRINCIPAL } from '../emulator/server';

/** The credentials `guarded-keys deploy` signs admin calls with when given none. */
export const DEFAULT_DEPLOY_CREDENTIALS = { accessKeyId: 'AKIAGUARDEDKEYSDEPLOY', secretAccessKey: 'guarded-keys-deploy' };

/**
 * A deployment target for an emulator in another process (`guarded-keys emulator`): principals and stack state go
 * through the emulator-only admin API, signed with SigV4 like any request.
 *
 * The admin API accepts an account root. With the default credentials, the first admin call registers them as the
 * root of the emulator's default account 000000000000 (accepted while the emulator has no principal, and kept with
 * `--data-dir`), so a later `guarded-keys deploy` against the same emulator signs as the same admin. That root is
 * the admin's identity only: no deployment ever acts as it in KMS.
 */
export function httpDeploymentTarget(endpoint: string, credentials = DEFAULT_DEPLOY_CREDENTIALS): DeploymentTarget {
  let ready: Promise<void> | undefined;
  const admin = async (target: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (credentials === DEFAULT_DEPLOY_CREDENTIALS) {
      ready ??= post(endpoint, ADMIN_ADD_PRINCIPAL, { arn: 'arn:aws:iam::000000000000:root', ...credentials }, credentials).then(() => undefined);
      await ready;
    }
    return post(endpoint, target, body, credentials);
  };
  return {
    endpoint,
    async addPrincipal(principal: PrincipalConfig) {
      await admin(ADMIN_ADD_PRINCIPAL, { ...principal });
    },
    async principal(accessKeyId: string) {
      return (await admin('GuardedKeys.GetPrincipal', { AccessKeyId: accessKeyId })).Principal as PrincipalConfig | undefined;
    },
    async removePrincipal(accessKeyId: string) {
      await admin('GuardedKeys.RemovePrincipal', { AccessKeyId: accessKeyId });
    },
    async stackState(account: string, region: string, stackName: string) {
      return (await admin('GuardedKeys.GetStackState', { Account: account, Region: region, StackName: stackName })).State;
    },
    async putStackState(account: string, region: string, stackName: string, state: unknown) {
      await admin('GuardedKeys.PutStackState', { Account: account, Region: region, StackName: stackName, State: state });
    },
  };
}

async function post(
  endpoint: string, target: string, input: Record<string, unknown>, credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<Record<string, unknown>> {
  const body = JSON.stringify(input);
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
  return new Promise((resolve, reject) => {
    const req = request({ hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers: signed.headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        const payload = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
        if (res.statusCode === 200) return resolve(payload);
        reject(new Error(`${target} failed: ${payload.__type ?? res.statusCode}: ${payload.message ?? ''}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
