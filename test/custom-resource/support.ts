import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CustomResourceEvent, CustomResourceResponse, LambdaContextLike } from '../../src/custom-resource/handler';
import { KmsLike } from '../../src/envelope';

/**
 * A local HTTP server standing for CloudFormation's pre-signed response URL: records every body PUT to it and can
 * be told to fail the next N requests (with a status, by dropping the connection, or by never answering).
 */
export class ResponseServer {
  public readonly bodies: string[] = [];
  public readonly received: CustomResourceResponse[] = [];
  public failNext = 0;
  public failWith: number | 'drop' | 'hang' = 500;
  public contentTypes: Array<string | undefined> = [];
  private server?: Server;
  private port = 0;

  public async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', c => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.bodies.push(body);
        this.contentTypes.push(req.headers['content-type']);
        if (this.failNext > 0) {
          this.failNext--;
          if (this.failWith === 'drop') req.socket.destroy();
          else if (this.failWith !== 'hang') res.writeHead(this.failWith).end();
          return;
        }
        this.received.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  public url(path = 'response'): string {
    return `http://127.0.0.1:${this.port}/${path}?X-Amz-Signature=test`;
  }

  public async stop(): Promise<void> {
    const closed = new Promise<void>(resolve => this.server?.close(() => resolve()));
    this.server?.closeAllConnections();
    await closed;
  }

  public last(): CustomResourceResponse {
    return this.received[this.received.length - 1];
  }
}

/** A Lambda context whose deadline is `ms` from now. */
export function contextWithin(ms: number): LambdaContextLike {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()) };
}

let requests = 0;

/** A CloudFormation event of the given type for a resource. */
export function eventOf(
  requestType: CustomResourceEvent['RequestType'], responseUrl: string, properties: Record<string, unknown>,
  extra: Partial<CustomResourceEvent> = {},
): CustomResourceEvent {
  return {
    RequestType: requestType,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/app/11111111-2222-3333-4444-555555555555',
    RequestId: `request-${++requests}`,
    LogicalResourceId: 'Value1A2B3C4D',
    ResourceType: `Custom::GuardedKeys${typeof properties.Kind === 'string' ? properties.Kind : 'Unknown'}`,
    ...extra,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:000000000000:function:handler', ...properties },
  };
}

/** A fault to inject into the next KMS calls of a given command (or of any, with '*'). */
export interface Fault {
  readonly command: string;
  readonly times: number;
  /** The error's name (as the SDK names KMS exceptions), or 'hang' for a call that never answers. */
  readonly error: string;
  readonly status?: number;
}

/**
 * A KMS client that forwards to a real one (the emulator) and injects faults: the "fake KMS" of the unit tests.
 * Records every command name it was sent.
 */
export class FaultyKms implements KmsLike {
  public readonly calls: string[] = [];
  public readonly faults: Fault[] = [];

  public send: KmsLike['send'] = (async (command: { constructor: { name: string } }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push(name);
    const fault = this.faults.find(f => (f.command === name || f.command === '*') && f.times > 0);
    if (fault) {
      (fault as { times: number }).times--;
      if (fault.error === 'hang') return new Promise(() => undefined);
      throw Object.assign(new Error(`injected ${fault.error}`), { name: fault.error, $metadata: { httpStatusCode: fault.status ?? 400 } });
    }
    return this.real.send(command as never);
  }) as KmsLike['send'];

  constructor(private readonly real: KMSClient) {}

  public get config() {
    return this.real.config;
  }

}

/** A symmetric key made by the account root; returns its ARN. */
export async function createKey(kms: KMSClient, description = 'test key'): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ Description: description }));
  return out.KeyMetadata!.Arn!;
}
