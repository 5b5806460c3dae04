import { KMSClient } from '@aws-sdk/client-kms';
import type { DeployerTarget } from './deployer';
import { serviceCreationHook } from './services/stack-hook';
import { StoredResource } from './stack-state';

/** What a hook sees of a stack whose resources were just deployed (before the cleanup phase). */
export interface StackDeploymentEvent {
  readonly stackName: string;
  readonly account: string;
  readonly region: string;
  readonly executionRoleArn: string;
  /** Every resource of the stack as deployed, by logical id (resolved properties, ref, attributes). */
  readonly resources: Readonly<Record<string, StoredResource>>;
  /**
   * Logical ids created by this deployment (new, or the new half of a replacement): a redeployment that changes
   * nothing creates nothing, so calls a service makes when it creates a resource are made for these only.
   */
  readonly created: readonly string[];
  /** The emulator deployed into (to register the service principals a hook acts as). */
  readonly target: DeployerTarget & { decisions?(): ReadonlyArray<{ readonly reason: string }> };
  /** A KMS client acting as the stack's execution role, in `region` (default: the stack's). */
  kms(region?: string): KMSClient;
}

/**
 * Work done for each stack once its resources exist, as part of the stack's deployment: a hook that throws fails the
 * stack, which rolls back (throw a `LocalDeploymentError` to name the resource and the call).
 */
export type StackHook = (event: StackDeploymentEvent) => Promise<void>;

/**
 * The hooks every local deployment runs, in order. The place for the KMS calls AWS services make while
 * CloudFormation creates their resources (as the execution role, through the service).
 */
export const STACK_HOOKS: readonly StackHook[] = [serviceCreationHook];
