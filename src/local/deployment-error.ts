/** What CloudFormation was doing when a resource failed. */
export type ResourceAction = 'CREATE' | 'UPDATE' | 'DELETE';

/**
 * A resource the local deployment could not create, update or delete, reported as CloudFormation reports it: the
 * resource, the status, and the handler's message with the service call, the caller and the service's reason, e.g.
 * `Keys/DataKey (AWS::KMS::Key) CREATE_FAILED: Resource handler returned message: "The new key policy will not allow
 * you to update the key policy in the future. (Service: Kms, Operation: CreateKey, Error: MalformedPolicyDocumentException,
 * Caller: arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1)"`.
 */
export class LocalDeploymentError extends Error {
  /**
   * The stack's status once the deployment gave up, as CloudFormation names it: `ROLLBACK_COMPLETE` (a new stack,
   * rolled back), `UPDATE_ROLLBACK_COMPLETE` (an update, undone), or `..._FAILED` when undoing failed too.
   */
  public stackStatus?: string;

  constructor(
    public readonly stack: string,
    public readonly logicalId: string,
    public readonly resourceType: string,
    public readonly action: ResourceAction,
    /** The KMS operation refused, when a KMS call failed. */
    public readonly operation: string | undefined,
    /** The execution role that made the call. */
    public readonly caller: string,
    /** The KMS error name (`AccessDeniedException`, `MalformedPolicyDocumentException`...). */
    public readonly code: string,
    public readonly reason: string,
  ) {
    const detail = [operation && 'Service: Kms', operation && `Operation: ${operation}`, `Error: ${code}`, `Caller: ${caller}`].filter(Boolean).join(', ');
    super(`${stack}/${logicalId} (${resourceType}) ${action}_FAILED: Resource handler returned message: "${reason} (${detail})"`);
    this.name = 'LocalDeploymentError';
  }
}

/** The operation name a failed SDK call carries (tagged by the deployer's clients). */
export const OPERATION_TAG = Symbol('guarded-keys:operation');
