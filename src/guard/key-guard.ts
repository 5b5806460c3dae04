import { Annotations, CfnElement, CfnResource, IAspect, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { GUARD_RULES, ruleById } from './catalogue';
import { DEFAULT_CONFIG, guardConfig } from './config';
import { GuardFinding, runGuard } from './engine';
import { CfnTemplate, GuardInputError, SUPPRESSIONS_METADATA } from './template-source';
import { cdkCore } from '../private/cdk-exports';

/**
 * Options for the {@link KeyGuard}.
 *
 * @example
 * Aspects.of(app).add(new KeyGuard({
 *   rotationMaxDays: 180,
 *   requiredTags: ['owner'],
 *   allowedRegions: ['eu-west-1', 'eu-central-1'],
 * }));
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

  /**
   * Severity per rule ID: `error`, `warning`, `info` or `off`.
   *
   * @default - Each rule's own severity (docs/guard-rules.md).
   */
  readonly severities?: { [ruleId: string]: string };

  /**
   * The longest rotation period a symmetric key may have (GK1).
   *
   * @default 365
   */
  readonly rotationMaxDays?: number;

  /**
   * The shortest deletion window a key may have (GK5).
   *
   * @default 30
   */
  readonly deletionWindowMinDays?: number;

  /**
   * Tag keys every key must carry (GK15).
   *
   * @default - No tag is required.
   */
  readonly requiredTags?: string[];

  /**
   * Regions keys may be created in (GK16).
   *
   * @default - Any region.
   */
  readonly allowedRegions?: string[];

  /**
   * Names of the `KeyPattern`s keys must be made from (GK17): a key made without one of them, a plain `kms.Key` or
   * a `CfnKey` written by hand is a finding. A replica counts as made from its primary's pattern.
   *
   * @default - Any key passes, whatever made it.
   */
  readonly approvedPatterns?: string[];
}

/** The resource types the guard reports on (keys, and the IAM policies its rules read). */
const REPORTED_TYPES = /^AWS::(KMS::(Key|ReplicaKey)|IAM::(Policy|ManagedPolicy|Role|User|Group))$/;
/** The resource types the rules read (src/guard/model.ts): keys and every IAM type. */
const READ_TYPES = /^AWS::(KMS::(Key|ReplicaKey)|IAM::.*)$/;

/**
 * A synth-time guard over every KMS key of an app (guarded keys, plain `kms.Key`s, `CfnKey`s, replica keys and keys
 * of third-party constructs), and over the IAM policies that reach them. It runs the same rule engine as the
 * `guarded-keys check` command and the `GuardedKeysValidationPlugin` on the stack's rendered CloudFormation.
 * Findings are annotations on the key or policy, naming the rule, so `cdk synth` fails on errors.
 *
 * @example
 * Aspects.of(app).add(new KeyGuard());
 */
export class KeyGuard implements IAspect {
  /**
   * Suppresses rules on one key (or every key under a scope), with a reason that is kept in the cloud
   * assembly's metadata for reviewers, and that `guarded-keys check` lists when it reads the assembly.
   */
  public static suppress(scope: IConstruct, ruleIds: string[], reason: string): void {
    if (!reason.trim()) throw new Error(`KeyGuard.suppress needs a reason for ${ruleIds.join(', ')} on ${scope.node.path}`);
    scope.node.addMetadata(SUPPRESSIONS_METADATA, { rules: ruleIds, reason });
  }

  private readonly props: KeyGuardProps;
  /** Per stack, its findings by logical ID: a lookup per visited resource, not a scan of all findings. */
  private readonly reports = new Map<Stack, Map<string, GuardFinding[]>>();
  /** Stacks reviewed when their synthesis renders their template (see reviewAtSynthesis). */
  private readonly watched = new Set<Stack>();

  constructor(props: KeyGuardProps = {}) {
    this.props = props;
    // Check the options now, so that a bad value fails where the guard is added.
    this.config();
  }

  public visit(node: IConstruct): void {
    // A stack is visited before its resources: when its synthesis can be watched, the review happens there.
    // (`cdkCore`: every construct of the app is visited, and aws-cdk-lib's index re-requires per export read.)
    if (cdkCore().Stack.isStack(node)) return this.reviewAtSynthesis(node);
    if (!cdkCore().CfnResource.isCfnResource(node) || !REPORTED_TYPES.test(node.cfnResourceType)) return;
    const stack = cdkCore().Stack.of(node);
    if (this.watched.has(stack)) return;
    let findings = this.reports.get(stack);
    if (!findings) {
      findings = this.review(stack, renderedTemplate(stack));
      this.reports.set(stack, findings);
    }
    this.annotate(node, findings);
  }

  /**
   * Reviews the stack on the template its synthesis renders, instead of rendering it a second time here: resolving
   * a template is most of a synthesis (a 500-key stack took 1.8x a plain app's synthesis with the second rendering).
   * The stack's synthesizer renders the template, then collects the constructs' metadata for the cloud assembly, so
   * annotations added in between are reported like any other. The rendering method is aws-cdk-lib's
   * `Stack._toCloudFormation` (internal, as the elements' renderer the fallback uses); an aws-cdk-lib without it
   * gets the fallback: a rendering of what the rules read, here, when the stack's first key or IAM resource is
   * visited. The template is the final one: aspects that run after this one (tags) are in it.
   */
  private reviewAtSynthesis(stack: Stack): void {
    const rendering = stack as unknown as { _toCloudFormation?: (...args: unknown[]) => Record<string, unknown> };
    const render = rendering._toCloudFormation;
    if (typeof render !== 'function' || this.watched.has(stack)) return;
    this.watched.add(stack);
    rendering._toCloudFormation = (...args: unknown[]) => {
      const template = render.apply(stack, args);
      if (!this.reports.has(stack)) {
        // The template itself, not a copy: the rules only read it (test/guard/robustness.test.ts runs them on a
        // frozen one), and a copy of a 500-key template cost a tenth of a plain app's synthesis.
        const findings = this.review(stack, template as unknown as CfnTemplate);
        this.reports.set(stack, findings);
        // Nothing to annotate: no walk of the stack's constructs (a logical ID is a token, resolved per resource).
        if (findings.size === 0) return template;
        for (const node of stack.node.findAll()) {
          if (CfnResource.isCfnResource(node) && REPORTED_TYPES.test(node.cfnResourceType) && Stack.of(node) === stack) this.annotate(node, findings);
        }
      }
      return template;
    };
  }

  /** The findings on one resource, as annotations on it (suppressed ones as info, with their reason). */
  private annotate(node: CfnResource, findings: Map<string, GuardFinding[]>): void {
    if (findings.size === 0) return;
    const mine = findings.get(Stack.of(node).resolve(node.logicalId) as string);
    if (!mine) return;
    const suppressed = suppressionsOf(node);
    for (const finding of mine) {
      const text = `[${finding.rule}] ${finding.message}`;
      const reason = suppressed.get(finding.rule);
      if (reason !== undefined) Annotations.of(node).addInfo(`${text} (suppressed: ${reason})`);
      else if (finding.severity === 'error' && !this.props.warnOnly) Annotations.of(node).addError(text);
      else if (finding.severity === 'info') Annotations.of(node).addInfo(text);
      else Annotations.of(node).addWarningV2(`guarded-keys:${finding.rule}`, text);
    }
  }

  private config() {
    const severities: Record<string, string> = { ...this.props.severities };
    const unknown = (this.props.skipRules ?? []).filter(id => !ruleById(id));
    if (unknown.length) throw new GuardInputError(`KeyGuard: 'skipRules' names unknown rule(s) ${unknown.join(', ')} (known: ${GUARD_RULES.map(r => r.id).join(', ')})`);
    for (const id of this.props.skipRules ?? []) severities[id] = 'off';
    return guardConfig({
      ...DEFAULT_CONFIG,
      severities,
      rotationMaxDays: this.props.rotationMaxDays ?? DEFAULT_CONFIG.rotationMaxDays,
      deletionWindowMinDays: this.props.deletionWindowMinDays ?? DEFAULT_CONFIG.deletionWindowMinDays,
      requiredTags: this.props.requiredTags ?? [],
      allowedRegions: this.props.allowedRegions ?? [],
      approvedPatterns: this.props.approvedPatterns ?? [],
    }, 'KeyGuard');
  }

  private review(stack: Stack, template: CfnTemplate): Map<string, GuardFinding[]> {
    const findings = runGuard([{
      stackName: stack.stackName,
      file: stack.templateFile,
      template,
      account: Token.isUnresolved(stack.account) ? undefined : stack.account,
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
    }], this.config()).findings;
    const byLogicalId = new Map<string, GuardFinding[]>();
    for (const finding of findings) byLogicalId.set(finding.logicalId, [...byLogicalId.get(finding.logicalId) ?? [], finding]);
    return byLogicalId;
  }
}

/**
 * The stack's template as CloudFormation will see it (tokens resolved, escape-hatch overrides applied), rendered
 * element by element with each L1's own renderer, as synthesis does. Only what the rules read is rendered: the
 * keys, the IAM resources, and every element that is not a resource (parameters, conditions, mappings); another
 * resource keeps only its type. Resolving is most of the cost, and in an app most resources are neither.
 */
function renderedTemplate(stack: Stack): CfnTemplate {
  const template: Record<string, Record<string, unknown>> = {};
  for (const node of stack.node.findAll()) {
    if (!CfnElement.isCfnElement(node) || Stack.of(node) !== stack) continue;
    if (CfnResource.isCfnResource(node) && !READ_TYPES.test(node.cfnResourceType)) {
      (template.Resources ??= {})[stack.resolve(node.logicalId) as string] = { Type: node.cfnResourceType };
      continue;
    }
    let fragment: Record<string, Record<string, unknown>>;
    try {
      fragment = stack.resolve((node as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as typeof fragment;
    } catch (err) {
      // Said, not skipped silently: the rules cannot see this element (the CLI on the synthesized template can).
      Annotations.of(node).addWarningV2('guarded-keys:GK0', `[GK0] the guard cannot render this element: ${(err as Error).message}`);
      continue;
    }
    for (const [section, entries] of Object.entries(fragment ?? {})) {
      // Merged in place: copying the section for every element made the rendering quadratic in the resources.
      if (entries && typeof entries === 'object') Object.assign(template[section] ??= {}, entries);
    }
  }
  return { ...template, Resources: template.Resources ?? {} } as CfnTemplate;
}

/** Rule id -> reason, from `KeyGuard.suppress` on the node or any scope above it. */
function suppressionsOf(node: IConstruct): Map<string, string> {
  const reasons = new Map<string, string>();
  for (let scope: IConstruct | undefined = node; scope; scope = scope.node.scope) {
    for (const entry of scope.node.metadata) {
      if (entry.type !== SUPPRESSIONS_METADATA) continue;
      const data = entry.data as { rules: string[]; reason: string };
      data.rules.forEach(r => reasons.has(r) || reasons.set(r, data.reason));
    }
  }
  return reasons;
}
