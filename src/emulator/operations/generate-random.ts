import { randomBytes } from 'crypto';
import { KmsError } from '../errors';
import { optionalInteger, optionalString } from '../input';
import { Handler } from './handler';

export const generateRandom: Handler = (ctx, input) => {
  const bytes = optionalInteger(input, 'NumberOfBytes', 1, 1024);
  if (bytes === undefined) throw new KmsError('ValidationException', 'NumberOfBytes is required.');
  if (optionalString(input, 'CustomKeyStoreId') !== undefined) throw new KmsError('UnsupportedOperationException', 'The emulator has no custom key stores.');
  ctx.authorize('kms:GenerateRandom', undefined);
  return { Plaintext: randomBytes(bytes).toString('base64') };
};
