import { KMSClient } from '@aws-sdk/client-kms';
import { describeCall, KmsCallOutcome, performKmsCall } from './calls';
import { serviceModelFor } from './index';
import { resourceArnOf } from './resource-arn';
import { servicePrincipalConfig, servicePrincipalsOf } from './service-principals';
import { ServiceModel } from './types';
import { DeployedResource, DeploymentTarget } from '../deployment';

/** What the service step of a stack deployment needs from the deployer. */
export interface ServiceCreationOptions {
  readonly target: DeploymentTarget;
  /** A client acting as whoever CloudFormation acts as in that account and region (the stack's deploying role). */
  deployerClientFor(account: string, region: string): KMSClient;
}

/**
 * Makes the KMS requests each service makes while CloudFormation creates a stack's resources — as the deploying
 * role through the service, or as the service principal — and fails the deployment as CloudFormation would when
 * one is refused: the resource, the request and the reason.
 */
export async function performServiceCreation(resources: readonly DeployedResource[], options: ServiceCreationOptions): Promise<void> {
  for (const name of servicePrincipalsOf(resources)) await options.target.addPrincipal(servicePrincipalConfig(name));
  for (const resource of resources) {
    const model = serviceModelFor(resource.type);
    if (!model) continue;
    for (const key of model.keysOf(resource)) {
      for (const call of model.creation(resource, key)) {
        const outcome = await performKmsCall(call, key, model, {
          endpoint: options.target.endpoint,
          callerClient: region => options.deployerClientFor(resource.account, region),
          producer: region => options.deployerClientFor(resource.account, region),
          source: { arn: resourceArnOf(resource), account: resource.account },
          decisions: () => options.target.decisions?.() ?? [],
        });
        if (!outcome.allowed) throw new Error(creationFailure(resource, model, outcome));
      }
    }
  }
}

/** CloudFormation's CREATE_FAILED event, with what the emulator knows about the refusal. */
function creationFailure(resource: DeployedResource, model: ServiceModel, outcome: KmsCallOutcome): string {
  return `${resource.stack}/${resource.path ?? resource.logicalId} (${resource.type}) CREATE_FAILED: `
    + `Resource handler returned message: "${outcome.error?.message}" (Service: ${model.title}, KMS error: ${outcome.error?.name}). `
    + `${outcome.call.purpose}: ${describeCall(outcome)}; decided by: ${outcome.reason}`;
}
