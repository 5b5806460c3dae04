import { KMSClient } from '@aws-sdk/client-kms';
import { createKey, FaultyKms, ResponseServer } from './support';
import { createHandler, CustomResourceEvent, CustomResourceHandler } from '../../src/custom-resource/handler';
import { seal } from '../../src/envelope';
import { startTestEmulator, TestEmulator } from '../emulator/support';

/**
 * Everything the suite saw (log lines, response bodies, events) and every secret it used; `assertClean` fails if
 * any secret appears anywhere, in any of the encodings a leak would take.
 */
export class SecretLedger {
  public readonly texts: string[] = [];
  private readonly secrets = new Set<string>();

  public addSecret(secret: string): void {
    if (secret.length >= 8) this.secrets.add(secret);
  }

  public addBodies(bodies: string[]): void {
    this.texts.push(...bodies);
  }

  public event<T extends CustomResourceEvent>(event: T): T {
    this.texts.push(JSON.stringify(event));
    return event;
  }

  public assertClean(): void {
    expect(this.secrets.size).toBeGreaterThan(3);
    expect(this.texts.length).toBeGreaterThan(10);
    for (const secret of this.secrets) {
      const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('hex')];
      for (const text of this.texts) for (const form of forms) expect(text.includes(form)).toBe(false);
    }
  }
}

/** A handler over a fault-injecting KMS client, logging into the ledger. */
export function createFaultyHandler(real: KMSClient, options: { ledger: SecretLedger }): { handler: CustomResourceHandler; kms: FaultyKms } {
  const kms = new FaultyKms(real);
  const handler = createHandler({ kms: () => kms, log: line => options.ledger.texts.push(line) });
  return { handler, kms };
}

/** What a handler suite runs against: an emulator, a response URL, its keys, and a value committed under the first. */
export interface HandlerWorld {
  readonly t: TestEmulator;
  readonly responses: ResponseServer;
  /** One key per name asked for, in order; the first is the sealing key `committed` was sealed under. */
  readonly keys: string[];
  /** The secret sealed under the first key with the context, base64: what a user commits. */
  readonly committed: string;
  stop(): Promise<void>;
}

/** Starts a {@link HandlerWorld}; the secret is added to the ledger. */
export async function startHandlerWorld(options: {
  readonly secret: string; readonly context: Record<string, string>; readonly keyNames: string[]; readonly ledger: SecretLedger;
}): Promise<HandlerWorld> {
  const t = await startTestEmulator();
  const responses = new ResponseServer();
  await responses.start();
  const keys = await Promise.all(options.keyNames.map(name => createKey(t.kms, name)));
  const sealed = await seal(Buffer.from(options.secret), { keyIds: [keys[0]], encryptionContext: options.context, kms: t.kms });
  options.ledger.addSecret(options.secret);
  return {
    t,
    responses,
    keys,
    committed: Buffer.from(sealed).toString('base64'),
    stop: async () => {
      await responses.stop();
      await t.emulator.stop();
    },
  };
}
