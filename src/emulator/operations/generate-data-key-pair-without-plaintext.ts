import { dataKeyPair } from './generate-data-key-pair';
import { Handler } from './handler';

export const generateDataKeyPairWithoutPlaintext: Handler = (ctx, input) =>
  dataKeyPair(ctx, input, 'kms:GenerateDataKeyPairWithoutPlaintext', false);
