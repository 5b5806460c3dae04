import { Annotations, IAspect, Stack } from 'aws-cdk-lib';
import { CfnKey, CfnReplicaKey } from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { GUARD_RULES, KeyUnderReview } from './rules';

/**
 * Options for the {@link KeyGuard}.
 */
export interface KeyGuardProps {
  /**
   * Rule IDs to skip everywhere (e.g. `['GK5']`). Prefer suppressing on one key with `KeyGuard.suppress`.
   *
   * @default - Every rule runs.
   */
  readonly skipRules?: string[];

  /**
   * Report findings as warnings instead of errors (errors fail `cdk synth` and `cdk deploy`).
   *
   * @default false
   */
  readonly warnOnly?: boolean;
}

const SUPPRESSIONS_METADATA = 'cdk-guarded-keys:guard-suppressions';

/**
 * A synth-time guard over every KMS key of an app (guarded keys, plain `kms.Key`s, `CfnKey`s and replica
 * keys): rotation on, the account-root statement kept, admins separated from users, no open `Principal: *`,
 * a 30-day deletion window, no RSA_2048 for encryption. Findings are annotations on the key, naming the
 * rule, so `cdk synth` fails with the list.
 *
 * @example
 * Aspects.of(app).add(new KeyGuard());
 */
export class KeyGuard implements IAspect {
  /**
   * Suppresses rules on one key (or every key under a scope), with a reason that is kept in the cloud
   * assembly's metadata for reviewers.
   */
  public static suppress(scope: IConstruct, ruleIds: string[], reason: string): void {
    if (!reason.trim()) throw new Error(`KeyGuard.suppress needs a reason for ${ruleIds.join(', ')} on ${scope.node.path}`);
    scope.node.addMetadata(SUPPRESSIONS_METADATA, { rules: ruleIds, reason });
  }

  private readonly skipped: Set<string>;
  private readonly warnOnly: boolean;

  constructor(props: KeyGuardProps = {}) {
    this.skipped = new Set(props.skipRules ?? []);
    this.warnOnly = props.warnOnly ?? false;
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnKey) && !(node instanceof CfnReplicaKey)) return;
    const review: KeyUnderReview = {
      path: node.node.path,
      isReplica: node instanceof CfnReplicaKey,
      properties: renderedProperties(node),
    };
    const suppressed = suppressionsOf(node);
    for (const rule of GUARD_RULES) {
      if (this.skipped.has(rule.id) || suppressed.has(rule.id)) continue;
      for (const message of rule.check(review)) {
        const text = `[${rule.id}] ${message}`;
        if (this.warnOnly) Annotations.of(node).addWarningV2(`guarded-keys:${rule.id}`, text);
        else Annotations.of(node).addError(text);
      }
    }
  }
}

/**
 * The resource's properties as CloudFormation will see them (PascalCase, tokens resolved, overrides applied).
 * `_toCloudFormation` is the L1's own renderer: reading `cfnProperties` would miss escape-hatch overrides.
 */
function renderedProperties(node: CfnKey | CfnReplicaKey): KeyUnderReview['properties'] {
  const rendered = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: KeyUnderReview['properties'] }>;
  };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}

function suppressionsOf(node: IConstruct): Set<string> {
  const ids = new Set<string>();
  for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
    for (const entry of scope.node.metadata) {
      if (entry.type === SUPPRESSIONS_METADATA) (entry.data as { rules: string[] }).rules.forEach(r => ids.add(r));
    }
  }
  return ids;
}
