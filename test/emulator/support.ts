import { KMSClient } from '@aws-sdk/client-kms';
import { EmulatorOptions, kmsClientFor, ManualClock, RunningEmulator, startEmulator } from '../../src/emulator';

/** An emulator on a free loopback port with a manual clock, and an SDK client as the root of 000000000000. */
export interface TestEmulator {
  readonly emulator: RunningEmulator;
  readonly clock: ManualClock;
  readonly kms: KMSClient;
  client(region: string): KMSClient;
}

export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = new ManualClock();
  const emulator = await startEmulator({ clock, ...options });
  const clients: KMSClient[] = [];
  const client = (region: string) => {
    const c = kmsClientFor(emulator, { region });
    clients.push(c);
    return c;
  };
  const kms = client('eu-west-1');
  const stop = emulator.stop.bind(emulator);
  (emulator as { stop: () => Promise<void> }).stop = async () => {
    clients.forEach(c => c.destroy());
    await stop();
  };
  return { emulator, clock, kms, client };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as { name: string; message: string };
  }
  throw new Error('expected the request to fail, but it succeeded');
}

export const bytes = (text: string) => Buffer.from(text, 'utf8');
export const text = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');
