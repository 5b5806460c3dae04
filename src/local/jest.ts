/**
 * `import 'cdk-guarded-keys/lib/local/jest'` in a test (or list it in jest's `setupFilesAfterEnv`) registers
 * `toAllow`, `toDeny`, `toAllowUse` and `toDenyUse`.
 * @module
 */
import { guardedKeysMatchers } from './matchers';

expect.extend(guardedKeysMatchers);
