import { createHash } from 'crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { PrincipalConfig } from '../../emulator/config';
import { kmsClientFor } from '../../emulator/kms-client';
import { DeployedResource } from '../deployment';
import { SERVICE_MODELS } from './index';

/**
 * Credentials of the service principals the deployment acts as (Logs, DynamoDB through its grant, an SNS topic
 * publishing to a queue...). They are derived from the principal's name, so that the deployment and a later access
 * check agree without sharing state; they mean nothing outside the emulator.
 */
export function servicePrincipalConfig(name: string): PrincipalConfig {
  const digest = createHash('sha256').update(`guarded-keys service principal ${name}`).digest('hex');
  return { arn: name, accessKeyId: `AKIASVC${digest.slice(0, 13).toUpperCase()}`, secretAccessKey: `svc-${digest.slice(13, 53)}` };
}

/** A client acting as a service principal, with `aws:SourceArn`/`aws:SourceAccount` of what it acts for. */
export function servicePrincipalClient(endpoint: string, name: string, region: string, source: { arn?: string; account?: string } = {}): KMSClient {
  const { accessKeyId, secretAccessKey } = servicePrincipalConfig(name);
  return kmsClientFor({ endpoint }, { region, accessKeyId, secretAccessKey, sourceArn: source.arn, sourceAccount: source.account });
}

/** The service principals a set of resources may act through: each service's own, and those their resource policies name. */
export function servicePrincipalsOf(resources: readonly DeployedResource[]): string[] {
  const names = new Set<string>();
  for (const region of new Set(resources.map(r => r.region))) {
    for (const model of SERVICE_MODELS) model.servicePrincipals?.(region).forEach(n => names.add(n));
  }
  for (const resource of resources) {
    for (const statement of [resource.properties.PolicyDocument?.Statement ?? []].flat()) {
      for (const service of [statement?.Principal?.Service ?? []].flat()) if (typeof service === 'string') names.add(service);
    }
  }
  return [...names];
}
