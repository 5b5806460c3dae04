import { request } from 'http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DeploymentTarget } from './deployment';
import { ADMIN_ADD_PRINCIPAL } from '../emulator/admin';
import { ADMIN_GET_AUDIT_TRAIL } from '../emulator/audit/admin-api';
import type { AuditEvent } from '../emulator/audit/event';
import type { UnusedAccess } from '../emulator/audit/unused';
import { AdminCredential, PrincipalConfig } from '../emulator/config';

/**
 * A deployment target for an emulator in another process (`guarded-keys emulator`): principals and stack state go
 * through the emulator-only admin API, signed with SigV4 as the emulator's admin (the credential it printed at
 * start, or kept in `<data-dir>/admin.json`). No KMS principal, not even an account root, may call it.
 */
export function httpDeploymentTarget(endpoint: string, admin: AdminCredential): DeploymentTarget {
  if (!admin?.accessKeyId || !admin?.secretAccessKey) {
    throw new TypeError('httpDeploymentTarget needs the emulator\'s admin credential { accessKeyId, secretAccessKey }');
  }
  const call = (target: string, body: Record<string, unknown>) => post(endpoint, target, body, admin);
  return {
    endpoint,
    async addPrincipal(principal: PrincipalConfig) {
      await call(ADMIN_ADD_PRINCIPAL, { ...principal });
    },
    async principal(accessKeyId: string) {
      return (await call('GuardedKeys.GetPrincipal', { AccessKeyId: accessKeyId })).Principal as PrincipalConfig | undefined;
    },
    async removePrincipal(accessKeyId: string) {
      await call('GuardedKeys.RemovePrincipal', { AccessKeyId: accessKeyId });
    },
    async stackState(account: string, region: string, stackName: string) {
      return (await call('GuardedKeys.GetStackState', { Account: account, Region: region, StackName: stackName })).State;
    },
    async putStackState(account: string, region: string, stackName: string, state: unknown) {
      await call('GuardedKeys.PutStackState', { Account: account, Region: region, StackName: stackName, State: state });
    },
    async unusedAccess() {
      return (await call(ADMIN_GET_AUDIT_TRAIL, { Limit: 1 })).UnusedAccess as UnusedAccess;
    },
    async auditTrail() {
      const events: AuditEvent[] = [];
      let marker: string | undefined;
      do {
        const out = await call(ADMIN_GET_AUDIT_TRAIL, { Limit: 1000, ...(marker ? { Marker: marker } : {}) });
        events.push(...out.Events as AuditEvent[]);
        marker = out.NextMarker as string | undefined;
      } while (marker);
      return events;
    },
  };
}

async function post(
  endpoint: string, target: string, input: Record<string, unknown>, credentials: AdminCredential,
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
        let payload: Record<string, unknown> = {};
        try {
          payload = JSON.parse(Buffer.concat(chunks).toString() || '{}');
        } catch { /* not JSON: report the status */ }
        if (res.statusCode === 200) return resolve(payload);
        reject(new Error(`${target} failed: ${payload.__type ?? res.statusCode}: ${payload.message ?? ''}`));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
