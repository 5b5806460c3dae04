import { generateDataKeyWith } from './generate-data-key';
import { Handler } from './handler';

export const generateDataKeyWithoutPlaintext: Handler = (ctx, input) => generateDataKeyWith(ctx, input, 'GenerateDataKeyWithoutPlaintext', false);
