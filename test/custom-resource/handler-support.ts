import { KMSClient } from '@aws-sdk/client-kms';
import { FaultyKms } from './support';
import { createHandler, CustomResourceEvent, CustomResourceHandler } from '../../src/custom-resource/handler';

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
