import { KMSClient } from '@aws-sdk/client-kms';
import { StoredResource } from '../stack-state';

/** A resource's physical values: its `Ref` and its `Fn::GetAtt` attributes (plain JSON, kept in the stack state). */
export interface PhysicalResource {
  readonly ref: string;
  readonly attributes: Record<string, unknown>;
}

/** What a handler knows while it creates, updates or deletes one resource. */
export interface ResourceContext {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly account: string;
  /** The stack's region. */
  readonly region: string;
  /** The resource's properties, intrinsics resolved (for a deletion: as last deployed). */
  readonly properties: Record<string, any>;
  /** Values CDK passes between regions through SSM parameters (cross-region references), shared by all stacks. */
  readonly crossRegionParameters: Map<string, unknown>;
  /** The stack's resources deployed so far in this deployment (what a custom resource's function and role are). */
  readonly resources: Readonly<Record<string, StoredResource>>;
  /** A KMS client acting as the stack's execution role, in `region` (default: the stack's). */
  kms(region?: string): KMSClient;
  /**
   * A KMS client acting as a role of this stack, registered first with the identity policies the stack has given
   * it so far (a custom resource's Lambda calls KMS as its execution role, not as CloudFormation).
   */
  kmsAsStackRole(roleArn: string, region?: string): Promise<KMSClient>;
  /** Forgets a principal the deployment registered (an IAM role or user leaving the template). */
  removePrincipal(arn: string): Promise<void>;
}

/**
 * How one resource type is deployed, as CloudFormation's resource provider does it. The deployer decides what to
 * call: `create` for a new resource or a replacement, `update` when properties changed in place, `delete` when the
 * resource left the template or was replaced (unless its DeletionPolicy/UpdateReplacePolicy retains it), and
 * nothing at all when the resolved properties are unchanged.
 */
export interface ResourceHandler {
  /**
   * Properties whose change replaces the resource (CloudFormation's "Update requires: Replacement"): a new one is
   * created, references move to it, and the old one is deleted at the end of the stack's deployment.
   */
  readonly replacedBy?: readonly string[];
  create(ctx: ResourceContext): Promise<PhysicalResource>;
  /** An in-place update; absent, only the stored properties change (nothing the emulator models moves). */
  update?(ctx: ResourceContext, previous: StoredResource): Promise<PhysicalResource>;
  /** A deletion; absent, there is nothing to delete in the emulator. */
  delete?(ctx: ResourceContext, previous: StoredResource): Promise<void>;
  /**
   * Runs when the resource is unchanged, to rebuild what other resources read during a deployment (cross-region
   * parameters); may return fresher physical values. Never calls KMS.
   */
  refresh?(ctx: ResourceContext, previous: StoredResource): PhysicalResource | undefined;
}
