/**
 * `import 'cdk-guarded-keys/lib/local/jest'` in a test (or in jest's `setupFilesAfterEnv`) registers
 * `toAllow`, `toDeny`, `toAllowUse`, `toDenyUse` and, over the audit trail, `toHaveUsedKey` and
 * `toHaveKeyUsedOnlyBy`.
 * @module
 */
import { guardedKeysMatchers } from './matchers';

expect.extend(guardedKeysMatchers);
