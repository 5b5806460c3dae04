import { setKeyState } from './enable-key';
import { Handler } from './handler';

export const disableKey: Handler = (ctx, input) => setKeyState(ctx, input, 'kms:DisableKey', 'Disabled');
