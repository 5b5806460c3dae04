import { request as httpRequest } from 'http';
import { request as httpsRequest } from 'https';
import { sleep } from './deadline';
import { CustomResourceResponse } from './event';

/** Sends the response body to the ResponseURL; resolves with the HTTP status. */
export type ResponseSender = (url: string, body: Uint8Array, timeoutMs: number) => Promise<number>;

/**
 * A PUT to the pre-signed S3 URL, with no Content-Type (the URL is signed without one) and an explicit length.
 * Plain node:http(s): nothing to bundle.
 */
export const putResponse: ResponseSender = (url, body, timeoutMs) => new Promise((resolve, reject) => {
  const target = new URL(url);
  const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
  const req = send(target, { method: 'PUT', headers: { 'content-type': '', 'content-length': body.length }, timeout: timeoutMs }, res => {
    res.resume();
    res.on('end', () => resolve(res.statusCode ?? 0));
    res.on('error', reject);
  });
  req.on('timeout', () => req.destroy(Object.assign(new Error(`response PUT timed out after ${timeoutMs} ms`), { name: 'TimeoutError' })));
  req.on('error', reject);
  req.end(body);
});

/**
 * PUTs the response until S3 accepts it (2xx) or the time is up: a lost response leaves the stack waiting for an
 * hour, so a 5xx, a 4xx other than 403 (an expired URL never recovers) or a network error is tried again.
 * @returns the number of attempts
 * @throws when no attempt succeeded before `budgetMs`
 */
export async function sendResponse(
  url: string, response: CustomResourceResponse, budgetMs: () => number, sender: ResponseSender = putResponse,
): Promise<number> {
  const body = new TextEncoder().encode(JSON.stringify(response));
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    const left = budgetMs();
    if (left <= 0) throw new Error(`response not delivered: ${describe(last)}`);
    try {
      const status = await sender(url, body, attemptTimeout(left));
      if (status >= 200 && status < 300) return attempt;
      last = `HTTP ${status}`;
      if (status === 403) throw new Error(`response refused: HTTP ${status}`);
    } catch (err) {
      if (String((err as Error)?.message).startsWith('response refused')) throw err;
      last = err;
    }
    const wait = Math.min(2_000, 100 * 2 ** (attempt - 1));
    if (wait >= budgetMs()) throw new Error(`response not delivered after ${attempt} attempts: ${describe(last)}`);
    await sleep(wait);
  }
}

/**
 * One attempt's time: at most 10 s, and at most half of what is left (but a second at least), so an attempt that
 * hangs never takes the time a second one needs: a hung PUT with little time left is tried again, not waited out.
 */
function attemptTimeout(leftMs: number): number {
  return Math.min(leftMs, 10_000, Math.max(1_000, leftMs / 2));
}

function describe(err: unknown): string {
  return typeof err === 'string' ? err : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`;
}
