import { OperationContext } from '../context';
import { Input } from '../input';

/** One KMS operation: decode -> validate -> resolve key -> authorize -> operate -> respond. */
export type Handler = (ctx: OperationContext, input: Input) => Record<string, unknown>;
