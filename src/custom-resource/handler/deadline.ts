import { isRetryable, ResourceFailure } from './failure';

/**
 * The time the handler has: the Lambda's deadline less what the response PUT needs. Every KMS call is bounded by
 * it and retried with backoff only while it allows, so CloudFormation always gets an answer before the Lambda
 * is killed (a killed Lambda leaves the stack waiting for an hour).
 */
export class Deadline {
  constructor(private readonly endsAt: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds left (never negative). */
  public remaining(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** Runs `attempt` until it succeeds, fails for good, or time runs out; waits grow from `baseMs`, with jitter. */
  public async retry<T>(what: string, attempt: () => Promise<T>, baseMs = 100, capMs = 5_000): Promise<T> {
    for (let n = 0; ; n++) {
      const left = this.remaining();
      if (left <= 0) throw new ResourceFailure('TIMEOUT', `${what} not attempted`);
      try {
        return await within(attempt(), left, what);
      } catch (err) {
        if (!isRetryable(err)) throw err;
        const wait = Math.min(capMs, baseMs * 2 ** n) * (0.5 + Math.random() / 2);
        if (wait >= this.remaining()) throw err;
        await sleep(wait);
      }
    }
  }
}

/** The promise, or a retryable TimeoutError after `ms` (the attempt itself is abandoned, not cancelled). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not answer within ${Math.round(ms)} ms`), { name: 'TimeoutError' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
