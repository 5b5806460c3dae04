import { randomBytes } from 'crypto';
import {
  CreateGrantCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, KMSClient,
} from '@aws-sdk/client-kms';
import { servicePrincipalClient } from './service-principals';
import { NamedKey, ServiceKmsCall, ServiceModel, viaServiceOf } from './types';
import { VIA_SERVICE_HEADER } from '../../emulator/server';

/** What happened to one KMS request a service made. */
export interface KmsCallOutcome {
  readonly call: ServiceKmsCall;
  /** Who KMS saw: an IAM ARN, or a service principal. */
  readonly caller: string;
  /** `kms:ViaService`, for a request made with the caller's credentials. */
  readonly viaService?: string;
  readonly keyId: string;
  readonly region: string;
  readonly allowed: boolean;
  /** The KMS error, when the request failed. */
  readonly error?: { readonly name: string; readonly message: string };
  /** The emulator's decision: the statement or grant that allowed or denied, or why nothing allowed. */
  readonly reason?: string;
}

/** The identities a service's requests are made as. */
export interface CallActors {
  readonly endpoint: string;
  /** The caller's ARN, when known (otherwise read from the emulator's decision). */
  readonly callerArn?: string;
  /** The principal using the resource is itself a service principal (SNS sending to a queue): its name. */
  readonly callerService?: string;
  /** What the service acts for: `aws:SourceArn` and `aws:SourceAccount` of a service principal's requests. */
  readonly source: { readonly arn?: string; readonly account: string };
  /** A client with the credentials of whoever uses the service (the deploying role, or the principal checked). */
  callerClient(region: string): KMSClient;
  /**
   * Clients that can make ciphertext under the key for a Decrypt to work on, tried in order (the deployment's probe
   * clients: the execution role, then a test-harness root where the key refuses the role).
   */
  producer(region: string): KMSClient | KMSClient[] | Promise<KMSClient[]>;
  decisions(): ReadonlyArray<{ readonly reason: string; readonly caller?: string }>;
}

/**
 * Makes one of a service's KMS requests through the real SDK, as the service would: with the caller's credentials
 * and `kms:ViaService`, or as the service principal. A Decrypt works on a ciphertext the producer made under the same
 * encryption context, as the one the service stored at write time.
 */
export async function performKmsCall(call: ServiceKmsCall, key: NamedKey, model: ServiceModel, actors: CallActors): Promise<KmsCallOutcome> {
  const asService = call.as === 'service' ? call.servicePrincipal! : actors.callerService;
  const viaService = asService ? undefined : viaServiceOf(model.service, key.region);
  const client = asService
    ? servicePrincipalClient(actors.endpoint, asService, key.region, actors.source)
    : actors.callerClient(key.region);
  const base = { call, viaService, keyId: key.keyId, region: key.region };
  try {
    await send(client, call, key, viaService, actors);
    const decision = actors.decisions().at(-1);
    return { ...base, caller: asService ?? actors.callerArn ?? decision?.caller ?? 'the caller', allowed: true, reason: decision?.reason };
  } catch (err) {
    const error = { name: (err as Error).name, message: (err as Error).message };
    const decision = error.name === 'AccessDeniedException' ? actors.decisions().at(-1) : undefined;
    return { ...base, caller: asService ?? actors.callerArn ?? decision?.caller ?? 'the caller', allowed: false, error, reason: decision?.reason ?? error.message };
  } finally {
    if (asService) client.destroy();
  }
}

async function send(client: KMSClient, call: ServiceKmsCall, key: NamedKey, viaService: string | undefined, actors: CallActors): Promise<void> {
  const KeyId = key.keyId;
  const EncryptionContext = call.encryptionContext;
  const via = <C extends { middlewareStack: any }>(command: C): C => {
    if (viaService) {
      command.middlewareStack.add((next: any) => async (args: any) => {
        args.request.headers[VIA_SERVICE_HEADER] = viaService;
        return next(args);
      }, { step: 'build', name: 'guardedKeysViaService' });
    }
    return command;
  };
  switch (call.operation) {
    case 'GenerateDataKey': await client.send(via(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext }))); return;
    case 'GenerateDataKeyWithoutPlaintext': await client.send(via(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext }))); return;
    case 'Encrypt': await client.send(via(new EncryptCommand({ KeyId, Plaintext: randomBytes(32), EncryptionContext }))); return;
    case 'DescribeKey': await client.send(via(new DescribeKeyCommand({ KeyId }))); return;
    case 'Decrypt': {
      const producers = [await actors.producer(key.region)].flat();
      const CiphertextBlob = await produceCiphertext(producers, new EncryptCommand({ KeyId, Plaintext: randomBytes(32), EncryptionContext }));
      await client.send(via(new DecryptCommand({ KeyId, CiphertextBlob, EncryptionContext })));
      return;
    }
    case 'CreateGrant': {
      const grant = call.grant!;
      await client.send(via(new CreateGrantCommand({
        KeyId,
        GranteePrincipal: grant.grantee,
        RetiringPrincipal: grant.retiring,
        Operations: grant.operations as never,
        Name: grant.name.replace(/[^a-zA-Z0-9:/_-]/g, '-').slice(0, 256),
        Constraints: grant.constraints && {
          EncryptionContextSubset: grant.constraints.encryptionContextSubset,
          EncryptionContextEquals: grant.constraints.encryptionContextEquals,
        },
      })));
      return;
    }
  }
}

/** One line for a message: `kms:Decrypt as <caller> via s3.eu-west-1.amazonaws.com with context {...} on <key>`. */
export function describeCall(outcome: KmsCallOutcome): string {
  const context = outcome.call.encryptionContext ? ` with context ${JSON.stringify(outcome.call.encryptionContext)}` : '';
  const grant = outcome.call.grant ? ` (grantee ${outcome.call.grant.grantee}, operations ${outcome.call.grant.operations.join(', ')})` : '';
  return `kms:${outcome.call.operation} as ${outcome.caller}${outcome.viaService ? ` via ${outcome.viaService}` : ''}${context}${grant} on ${outcome.keyId} (${outcome.region})`;
}

/** The first ciphertext a producer makes; the last refusal if none may (then the check cannot run). */
async function produceCiphertext(producers: KMSClient[], command: EncryptCommand): Promise<Uint8Array | undefined> {
  let last: unknown;
  for (const producer of producers) {
    try {
      return (await producer.send(command)).CiphertextBlob;
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
