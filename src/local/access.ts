import {
  CreateGrantCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateMacCommand, GetPublicKeyCommand,
  KMSClient, ReEncryptCommand, RevokeGrantCommand, SignCommand, UpdateKeyDescriptionCommand, VerifyCommand, VerifyMacCommand,
  DescribeKeyCommandOutput,
} from '@aws-sdk/client-kms';
import { DeployedKey, DeployedPrincipal, LocalDeployment } from './deployment';

/** How to make a request when checking access. */
export interface AccessOptions {
  /** The service the request comes through: `s3` (expanded to `s3.<key region>.amazonaws.com`) or a full endpoint. */
  readonly viaService?: string;
  readonly encryptionContext?: Record<string, string>;
  /** `aws:SourceIp` of the request. */
  readonly sourceIp?: string;
  /**
   * The other key of a ReEncrypt check: the destination of `kms:ReEncryptFrom`, the source of `kms:ReEncryptTo`. KMS
   * asks for ReEncryptFrom on the source and ReEncryptTo on the destination, so a principal allowed only one of them
   * on a key (a deploy-time rewrap) is measured against a key where it has the other.
   * @default - the key itself (the check then needs both on it)
   */
  readonly counterpartKey?: string | DeployedKey;
}

/** The answer to "may this principal do this to this key?", found by making the real request. */
export interface AccessResult {
  readonly allowed: boolean;
  /** The KMS error when denied (AccessDeniedException), or another error that kept the request from running. */
  readonly error?: { name: string; message: string };
  /** The emulator's explanation of its last decision, when it has one. */
  readonly explanation?: string;
}

/** The actions a check can exercise, each by a real, side-effect-free (or self-undoing) request. */
export const CHECKABLE_ACTIONS = [
  'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:DescribeKey', 'kms:CreateGrant',
  'kms:Sign', 'kms:Verify', 'kms:GetPublicKey', 'kms:GenerateMac', 'kms:VerifyMac', 'kms:UpdateKeyDescription',
] as const;
export type CheckableAction = (typeof CHECKABLE_ACTIONS)[number];

/**
 * Makes the request `action` needs as `principal`, through the real SDK: Decrypt decrypts a ciphertext produced
 * under the key with the same encryption context; Verify/VerifyMac check what was signed; CreateGrant is revoked
 * again; UpdateKeyDescription writes the same description back. Those probe values (and the DescribeKey that picks
 * an algorithm) are made by the stack's execution role, or by the account root as a test-harness principal when the
 * key policy refuses the role (`LocalDeployment.probeClientsFor`): only `principal`'s own request is the check.
 */
export async function checkAccess(
  deployment: LocalDeployment,
  principal: string | DeployedPrincipal, action: string, key: string | DeployedKey, options: AccessOptions = {},
): Promise<AccessResult> {
  if (!(CHECKABLE_ACTIONS as readonly string[]).includes(action)) {
    throw new Error(`checkAccess cannot exercise ${action}; it checks ${CHECKABLE_ACTIONS.join(', ')}`);
  }
  const k = typeof key === 'string' ? deployment.key(key) : key;
  const p = typeof principal === 'string' ? deployment.principal(principal) : principal;
  const viaService = options.viaService && !options.viaService.includes('.') ? `${options.viaService}.${k.region}.amazonaws.com` : options.viaService;
  const client = deployment.clientFor(p, { region: k.region, viaService, sourceIp: options.sourceIp });
  const probes = await deployment.probeClientsFor(k.account, k.region);
  const probe = { send: ((command: never) => asProbe(probes, command)) as KMSClient['send'] };
  const context = options.encryptionContext;
  const message = Buffer.from('guarded-keys access check');
  try {
    const describe = () => probe.send(new DescribeKeyCommand({ KeyId: k.arn }));
    switch (action as CheckableAction) {
      case 'kms:Encrypt': await client.send(new EncryptCommand({ KeyId: k.arn, Plaintext: message, EncryptionContext: context, ...(await rsaAlgorithm(describe)) })); break;
      case 'kms:GenerateDataKey': await client.send(new GenerateDataKeyCommand({ KeyId: k.arn, KeySpec: 'AES_256', EncryptionContext: context })); break;
      case 'kms:Decrypt': {
        const algorithm = await rsaAlgorithm(describe);
        const encrypted = new EncryptCommand({ KeyId: k.arn, Plaintext: message, EncryptionContext: context, ...algorithm });
        const { CiphertextBlob } = await probe.send(encrypted);
        await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context, KeyId: k.arn, ...algorithm }));
        break;
      }
      case 'kms:ReEncryptFrom':
      case 'kms:ReEncryptTo': {
        const other = options.counterpartKey === undefined ? k
          : typeof options.counterpartKey === 'string' ? deployment.key(options.counterpartKey) : options.counterpartKey;
        const [from, to] = action === 'kms:ReEncryptFrom' ? [k, other] : [other, k];
        const { CiphertextBlob } = await probe.send(new EncryptCommand({ KeyId: from.arn, Plaintext: message, EncryptionContext: context }));
        await client.send(new ReEncryptCommand({
          CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: to.arn, DestinationEncryptionContext: context,
        }));
        break;
      }
      case 'kms:DescribeKey': await client.send(new DescribeKeyCommand({ KeyId: k.arn })); break;
      case 'kms:CreateGrant': {
        const { GrantId } = await client.send(new CreateGrantCommand({ KeyId: k.arn, GranteePrincipal: p.arn, Operations: ['DescribeKey'] }));
        await probe.send(new RevokeGrantCommand({ KeyId: k.arn, GrantId }));
        break;
      }
      case 'kms:Sign': await client.send(new SignCommand({ KeyId: k.arn, Message: message, SigningAlgorithm: await signingAlgorithm(describe) })); break;
      case 'kms:Verify': {
        const SigningAlgorithm = await signingAlgorithm(describe);
        const { Signature } = await probe.send(new SignCommand({ KeyId: k.arn, Message: message, SigningAlgorithm }));
        await client.send(new VerifyCommand({ KeyId: k.arn, Message: message, Signature, SigningAlgorithm }));
        break;
      }
      case 'kms:GetPublicKey': await client.send(new GetPublicKeyCommand({ KeyId: k.arn })); break;
      case 'kms:GenerateMac': await client.send(new GenerateMacCommand({ KeyId: k.arn, Message: message, MacAlgorithm: await macAlgorithm(describe) })); break;
      case 'kms:VerifyMac': {
        const MacAlgorithm = await macAlgorithm(describe);
        const { Mac } = await probe.send(new GenerateMacCommand({ KeyId: k.arn, Message: message, MacAlgorithm }));
        await client.send(new VerifyMacCommand({ KeyId: k.arn, Message: message, Mac, MacAlgorithm }));
        break;
      }
      case 'kms:UpdateKeyDescription': {
        const { KeyMetadata } = await describe();
        await client.send(new UpdateKeyDescriptionCommand({ KeyId: k.arn, Description: KeyMetadata?.Description ?? '' }));
        break;
      }
    }
    return { allowed: true, explanation: lastReason(deployment) };
  } catch (err) {
    const error = { name: (err as Error).name, message: (err as Error).message };
    if (error.name !== 'AccessDeniedException') throw new Error(`checking ${action} for ${p.arn} on ${k.arn} failed with ${error.name}: ${error.message}`);
    return { allowed: false, error, explanation: lastReason(deployment) };
  }
}

/** Sends a probe request as the first probe client KMS allows it to. */
async function asProbe(clients: KMSClient[], command: never): Promise<unknown> {
  let denied: unknown;
  for (const client of clients) {
    try {
      return await client.send(command);
    } catch (err) {
      if ((err as Error).name !== 'AccessDeniedException') throw err;
      denied = err;
    }
  }
  throw denied;
}

function lastReason(deployment: LocalDeployment): string | undefined {
  return deployment.decisions().at(-1)?.reason;
}

async function rsaAlgorithm(describe: () => Promise<DescribeKeyCommandOutput>): Promise<{ EncryptionAlgorithm?: 'RSAES_OAEP_SHA_256' }> {
  const { KeyMetadata } = await describe();
  return KeyMetadata?.KeySpec?.startsWith('RSA') ? { EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } : {};
}

async function signingAlgorithm(describe: () => Promise<DescribeKeyCommandOutput>) {
  return (await describe()).KeyMetadata!.SigningAlgorithms![0];
}

async function macAlgorithm(describe: () => Promise<DescribeKeyCommandOutput>) {
  return (await describe()).KeyMetadata!.MacAlgorithms![0];
}

export type { KMSClient };
