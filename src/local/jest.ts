/**
 * `import 'cdk-guarded-keys/lib/local/jest'` in a test (or in jest's `setupFilesAfterEach`) registers
 * `toAllow`, `toDeny`, `toAllowUse` and `toDenyUse`.
 * @module
 */
import { guardedKeysMatchers } from './matchers';

expect.extend(guardedKeysMatchers);
