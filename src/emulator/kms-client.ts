import { KMSClient } from '@aws-sdk/client-kms';
import { Clock } from './clock';
import { SOURCE_ACCOUNT_HEADER, SOURCE_ARN_HEADER, SOURCE_IP_HEADER, VIA_SERVICE_HEADER } from './server';

/** How a test client talks to the emulator. */
export interface EmulatorClientOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'AKIAEMULATORDEFAULT' */
  readonly accessKeyId?: string;
  /** @default 'emulator-secret' */
  readonly secretAccessKey?: string;
  /** Make requests as if they came through this AWS service: `s3` becomes `s3.<region>.amazonaws.com`. */
  readonly viaService?: string;
  /** Make requests as if they came from this address (`aws:SourceIp`). */
  readonly sourceIp?: string;
  /** `aws:SourceArn`: the resource a service principal acts for. */
  readonly sourceArn?: string;
  /** `aws:SourceAccount`: the account a service principal acts for. */
  readonly sourceAccount?: string;
}

/**
 * A real, unmodified `KMSClient` pointed at the emulator, signing with the emulator's clock when given it (a
 * `RunningEmulator` carries it), with a middleware that adds the emulator-only headers when asked. They mean
 * nothing to real KMS: use this client against the emulator only.
 */
export function kmsClientFor(emulator: { endpoint: string; clock?: Clock }, options: EmulatorClientOptions = {}): KMSClient {
  const region = options.region ?? 'us-east-1';
  const client = new KMSClient({
    endpoint: emulator.endpoint,
    region,
    credentials: { accessKeyId: options.accessKeyId ?? 'AKIAEMULATORDEFAULT', secretAccessKey: options.secretAccessKey ?? 'emulator-secret' },
    maxAttempts: 1,
  });
  const clock = emulator.clock;
  if (clock) {
    // The emulator refuses signatures more than 15 minutes from its clock, as KMS does; a test's manual clock may be
    // days ahead, so sign with the emulator's time (the SDK's own clock-skew offset, set before each request).
    client.middlewareStack.add(next => async args => {
      client.config.systemClockOffset = clock.now() - Date.now();
      return next(args);
    }, { step: 'build', name: 'guardedKeysEmulatorClock' });
  }
  const headers: Record<string, string> = {};
  if (options.viaService) headers[VIA_SERVICE_HEADER] = options.viaService.includes('.') ? options.viaService : `${options.viaService}.${region}.amazonaws.com`;
  if (options.sourceIp) headers[SOURCE_IP_HEADER] = options.sourceIp;
  if (options.sourceArn) headers[SOURCE_ARN_HEADER] = options.sourceArn;
  if (options.sourceAccount) headers[SOURCE_ACCOUNT_HEADER] = options.sourceAccount;
  if (Object.keys(headers).length) {
    client.middlewareStack.add(next => async args => {
      const request = args.request as { headers: Record<string, string> };
      Object.assign(request.headers, headers);
      return next(args);
    }, { step: 'build', name: 'guardedKeysEmulatorHeaders' });
  }
  return client;
}
