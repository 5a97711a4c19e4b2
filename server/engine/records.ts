import { McError } from '../../sdk/protocol/errors.ts';
import { checkName, READ_LIMIT_MAX } from './names.ts';

/** How many keys {@link RecordStore.list} returns when the caller names no limit. */
export const LIST_LIMIT_DEFAULT = READ_LIMIT_MAX;

/** Checks a list call's prefix and limit; resolves the default limit. */
export function checkList(prefix: string, limit: number | undefined): number {
  checkName('prefix', prefix);
  const n = limit ?? LIST_LIMIT_DEFAULT;
  if (!Number.isSafeInteger(n) || n < 1 || n > READ_LIMIT_MAX) {
    throw new McError('INVALID_ARGUMENT', `list limit must be 1–${READ_LIMIT_MAX}`);
  }
  return n;
}

/** Throws INVALID_ARGUMENT unless `version` can be a record's version (0: absent). */
export function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new McError('INVALID_ARGUMENT', 'version must be a whole number ≥ 0');
  }
}
