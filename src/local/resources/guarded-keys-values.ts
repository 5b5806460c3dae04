import { createServer } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { KMSClient } from '@aws-sdk/client-kms';
import { PhysicalResource, ResourceContext, ResourceHandler } from './types';
import type { CustomResourceEvent, CustomResourceResponse, createHandler } from '../../custom-resource/handler';
import { HANDLER_BUNDLE_DIR } from '../../custom-resource/handler-function';
import type { KmsLike } from '../../envelope/kms';
import { StoredResource } from '../stack-state';

/** The Lambda timeout the constructs give the handler (what `getRemainingTimeInMillis` starts from). */
const HANDLER_TIMEOUT_MS = 120_000;

/**
 * Knobs for tests of the local deployment itself: wrap the KMS client the handler gets (to inject throttling) and
 * fail the first response PUTs. Not for anything else: a deployment with them set does not act as AWS does.
 */
export const localCustomResourceFaults: {
  wrapKms?: (client: KMSClient) => KmsLike;
  failResponses?: number;
  /** Log lines the handler wrote, for tests that scan them. */
  log?: (line: string) => void;
  /** Each event sent to the handler with every body PUT to its response URL, for tests that scan them. */
  exchange?: (event: CustomResourceEvent, responseBodies: string[]) => void;
} = {};

/**
 * `Custom::GuardedKeysSealedValue`, `…GeneratedSecret`, `…DataKey`: this library's custom resources, run as
 * CloudFormation runs them. The bundled handler (the very file the Lambda asset ships) is invoked in process with
 * CloudFormation's event shapes (Create; Update with the old properties and physical id; Delete), calling the
 * emulator as the function's execution role, and answering through a local HTTP server standing for the
 * pre-signed response URL. What reaches that URL decides, as in CloudFormation: FAILED (or no answer) fails the
 * resource with the handler's reason, and the deployment rolls back.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
 */
export const guardedKeysValue: ResourceHandler = {
  create: async ctx => invoke(ctx, 'Create'),
  update: async (ctx, previous) => invoke(ctx, 'Update', previous),
  delete: async (ctx, previous) => {
    await invoke(ctx, 'Delete', previous);
  },
};

async function invoke(ctx: ResourceContext, requestType: CustomResourceEvent['RequestType'], previous?: StoredResource): Promise<PhysicalResource> {
  const server = await responseServer(localCustomResourceFaults.failResponses ?? 0);
  try {
    const event: CustomResourceEvent = {
      RequestType: requestType,
      ResponseURL: server.url,
      StackId: `arn:aws:cloudformation:${ctx.region}:${ctx.account}:stack/${ctx.stackName}/local`,
      RequestId: `${requestType.toLowerCase()}-${ctx.logicalId}-${Date.now()}`,
      LogicalResourceId: ctx.logicalId,
      ResourceType: ctx.type,
      ...(previous ? { PhysicalResourceId: previous.ref } : {}),
      ResourceProperties: ctx.properties,
      ...(requestType === 'Update' && previous ? { OldResourceProperties: previous.properties as Record<string, unknown> } : {}),
    };
    const roleArn = requestType === 'Delete' ? undefined : executionRoleOf(ctx);
    const handler = loadBundle()({
      kms: region => lazyClient(() => ctx.kmsAsStackRole(roleArn!, region ?? ctx.region)),
      log: line => localCustomResourceFaults.log?.(line),
    });
    const end = Date.now() + HANDLER_TIMEOUT_MS;
    await handler(event, { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) });
    localCustomResourceFaults.exchange?.(event, server.bodies());
    const response = server.response();
    if (!response) throw Object.assign(new Error('the handler sent no response (CloudFormation would wait an hour, then fail)'), { name: 'NoResponse' });
    if (response.Status !== 'SUCCESS') throw Object.assign(new Error(response.Reason ?? 'FAILED without a reason'), { name: 'CustomResourceFailed' });
    return { ref: response.PhysicalResourceId, attributes: { ...(response.Data ?? {}) } };
  } finally {
    await server.close();
  }
}

/** The role of the function the ServiceToken names, from the stack's deployed resources. */
function executionRoleOf(ctx: ResourceContext): string {
  const token = String(ctx.properties.ServiceToken);
  const fn = Object.values(ctx.resources).find(r => r.type === 'AWS::Lambda::Function' && (r.attributes.Arn === token || r.ref === token));
  const role = fn?.properties.Role;
  if (typeof role !== 'string') throw new Error(`ServiceToken ${token} is not a function of stack ${ctx.stackName} with a role`);
  return role;
}

/** A client made only when the handler first calls KMS (a Delete never does). */
function lazyClient(make: () => Promise<KMSClient>): KMSClient {
  let client: Promise<KMSClient> | undefined;
  const wrapped = { send: async (command: unknown) => (await (client ??= make())).send(command as never) } as unknown as KMSClient;
  return (localCustomResourceFaults.wrapKms ? localCustomResourceFaults.wrapKms(wrapped) : wrapped) as KMSClient;
}

/** The bundle the Lambda asset ships (built by the `bundle:handler` task). */
function loadBundle(): typeof createHandler {
  const file = path.join(HANDLER_BUNDLE_DIR, 'index.js');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file).createHandler;
  } catch (err) {
    throw new Error(`the custom-resource handler bundle is missing (${file}): build it with \`npx projen bundle:handler\` (${(err as Error).message})`);
  }
}

/** The pre-signed response URL: records every body PUT to it and the last one accepted; fails the first `failures` with a 500. */
async function responseServer(failures: number): Promise<{
  url: string; response(): CustomResourceResponse | undefined; bodies(): string[]; close(): Promise<void>;
}> {
  let last: CustomResourceResponse | undefined;
  const bodies: string[] = [];
  let toFail = failures;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      if (toFail > 0) {
        toFail--;
        res.writeHead(500).end();
        return;
      }
      try {
        last = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/cloudformation-response?X-Amz-Signature=local`,
    response: () => last,
    bodies: () => [...bodies],
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
