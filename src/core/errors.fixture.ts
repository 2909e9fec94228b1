/** For tests: the PatchgateError a promise (or a function) fails with; anything else fails the test. */
import { PatchgateError } from './errors.js';

export async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<PatchgateError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof PatchgateError) return e;
    throw e;
  }
  throw new Error('expected a PatchgateError');
}
