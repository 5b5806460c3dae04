/**
 * The custom-resource Lambda behind SealedValue, GeneratedSecret and DataKey (bundled with esbuild into
 * lib/custom-resource/handler/bundle; not jsii API).
 *
 * Its promises: CloudFormation always gets an answer before the Lambda's deadline (KMS calls bounded and retried
 * within the time left, the response PUT retried); the reason of a failure names its cause; nothing secret is
 * logged or returned (responses carry envelopes only, never plaintext); Delete always succeeds, also after a
 * failed Create, since no value lives outside the stack.
 * @module
 */
import { Deadline } from './deadline';
import { CustomResourceEvent, CustomResourceResponse, ENVELOPE_ATTRIBUTE, LambdaContextLike, MAX_RESPONSE_BYTES } from './event';
import { ResourceFailure, safeText, toFailure } from './failure';
import { lambdaKmsClient } from './lambda-kms';
import { ResponseSender, sendResponse } from './respond';
import { produce, stableId } from './values';
import { KmsLike } from '../../envelope';

export { RESOURCE_TYPES, PROPS, ENVELOPE_ATTRIBUTE } from './event';
export type { CustomResourceEvent, CustomResourceResponse, LambdaContextLike } from './event';

/** What the handler runs against: injected by tests and by the local deployment. */
export interface HandlerDependencies {
  /** A KMS client in a region (the target key's region, read from its ARN). */
  readonly kms?: (region: string | undefined) => KmsLike;
  readonly send?: ResponseSender;
  /** One line per call; never given a secret. */
  readonly log?: (line: string) => void;
  /** Time kept back for the response PUT. @default 5 s, or a quarter of the Lambda's time when less */
  readonly responseReserveMs?: number;
}

export type CustomResourceHandler = (event: CustomResourceEvent, context: LambdaContextLike) => Promise<CustomResourceResponse>;

/** A handler with its dependencies (the exported `handler` uses the Lambda's own). */
export function createHandler(deps: HandlerDependencies = {}): CustomResourceHandler {
  const clients = new Map<string, KmsLike>();
  const kmsFor = deps.kms ?? ((region: string | undefined) => {
    const id = region ?? '';
    let client = clients.get(id);
    if (!client) clients.set(id, client = lambdaKmsClient(region));
    return client;
  });
  const log = deps.log ?? ((line: string) => console.log(line));

  return async (event, context) => {
    const started = Date.now();
    const total = context.getRemainingTimeInMillis();
    const reserve = deps.responseReserveMs ?? Math.min(5_000, total / 4);
    const deadline = new Deadline(started + total - reserve);
    log(`${event.RequestType} ${event.ResourceType} ${event.LogicalResourceId} (request ${event.RequestId})`);

    let response: CustomResourceResponse;
    try {
      const produced = event.RequestType === 'Delete' ? undefined : await produce(event, kmsFor(regionOf(event)), deadline);
      response = base(event, 'SUCCESS', produced?.physicalId ?? event.PhysicalResourceId ?? stableId(event));
      if (produced) response = { ...response, Data: { [ENVELOPE_ATTRIBUTE]: produced.envelope } };
      const size = Buffer.byteLength(JSON.stringify(response));
      if (size > MAX_RESPONSE_BYTES) {
        throw new ResourceFailure('RESPONSE_TOO_LARGE', `the response would be ${size} bytes; CloudFormation accepts ${MAX_RESPONSE_BYTES} `
          + '(seal a smaller value, or fewer wrapped keys or a shorter encryption context)');
      }
    } catch (err) {
      const failure = toFailure(err);
      // A failed Create still names a physical id, so the Delete CloudFormation sends next finds it (and succeeds).
      response = { ...base(event, 'FAILED', event.PhysicalResourceId ?? stableId(event)), Reason: safeText(failure.message, 1000) };
    }
    log(`${response.Status} ${event.LogicalResourceId}${response.Reason ? `: ${response.Reason}` : ''}`);
    // The response gets whatever time is left, down to the Lambda's own deadline less a margin.
    const margin = Math.min(250, total / 20);
    const attempts = await sendResponse(event.ResponseURL, response, () => context.getRemainingTimeInMillis() - margin, deps.send).catch(err => {
      log(`response not delivered: ${safeText((err as Error).message)}`);
      return 0;
    });
    if (attempts > 1) log(`response delivered after ${attempts} attempts`);
    return response;
  };
}

function base(event: CustomResourceEvent, status: 'SUCCESS' | 'FAILED', physicalId: string): CustomResourceResponse {
  return {
    Status: status, PhysicalResourceId: physicalId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId,
  };
}

/** The target key's region, from its ARN (a cross-region target is reached in its own region). */
function regionOf(event: CustomResourceEvent): string | undefined {
  const arn = event.ResourceProperties.TargetKeyArn;
  const match = typeof arn === 'string' ? /^arn:[^:]+:kms:([^:]+):/.exec(arn) : null;
  return match?.[1];
}

/** The Lambda entry point. */
export const handler = createHandler();
