import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';

/** An emulator with two symmetric keys, and a client as the account root. */
export interface EnvelopeFixture {
  readonly emulator: RunningEmulator;
  readonly kms: KMSClient;
  readonly keyA: string;
  readonly keyB: string;
  stop(): Promise<void>;
}

export async function envelopeFixture(region = 'eu-west-1'): Promise<EnvelopeFixture> {
  const emulator = await startEmulator();
  const kms = kmsClientFor(emulator, { region });
  const keyA = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  const keyB = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  return {
    emulator,
    kms,
    keyA,
    keyB,
    async stop() {
      kms.destroy();
      await emulator.stop();
    },
  };
}

/** Counts the KMS commands a client sends, by name. */
export function countingKms(kms: KMSClient): { kms: Pick<KMSClient, 'send'>; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    calls,
    kms: {
      send: ((command: { constructor: { name: string } }) => {
        const name = command.constructor.name.replace(/Command$/, '');
        calls[name] = (calls[name] ?? 0) + 1;
        return kms.send(command as never);
      }) as KMSClient['send'],
    },
  };
}

export const text = (s: string) => new TextEncoder().encode(s);
