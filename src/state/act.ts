import { errorText } from '../lib/error-text';

/**
 * Runs one action of a store, the way every store does: its result, or null when it failed; `report`
 * gets the failure in words (or null once an action succeeds) for the store's `error`.
 */
export async function act<T>(report: (error: string | null) => void, fn: () => Promise<T> | T): Promise<T | null> {
  try {
    const r = await fn();
    report(null);
    return r;
  } catch (e) {
    report(errorText(e));
    return null;
  }
}
