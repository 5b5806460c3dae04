/**
 * Options of `allowServicePrincipal`.
 */
export interface AllowServicePrincipalOptions {
  /**
   * The resources the service acts for, as ARNs or ARN patterns: log groups for `logs`
   * (`kms:EncryptionContext:aws:logs:arn`), trails for `cloudtrail`, topics, rules or buckets for the others
   * (`aws:SourceArn`).
   *
   * @default - Every resource of the service in the key's account (and, for `logs`, the key's region).
   */
  readonly sourceArns?: string[];
}
