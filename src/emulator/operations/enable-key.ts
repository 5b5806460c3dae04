import { OperationContext } from '../context';
import { KmsError } from '../errors';
import { Input } from '../input';
import { KeyState } from '../state';
import { Handler } from './handler';
import { keyFromInput } from './shared';

/** EnableKey and DisableKey: the same steps, another action and state. */
export function setKeyState(ctx: OperationContext, input: Input, action: string, state: KeyState): Record<string, unknown> {
  const key = keyFromInput(ctx, input);
  ctx.assertSameAccount(key);
  ctx.authorize(action, key);
  ctx.assertNotPendingDeletion(key);
  if (key.state === 'PendingImport') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
  key.state = state;
  ctx.store.putKey(key);
  return {};
}

export const enableKey: Handler = (ctx, input) => setKeyState(ctx, input, 'kms:EnableKey', 'Enabled');
