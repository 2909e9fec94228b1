/** The reference contract looked up in its own build (kept light: `check`'s fast path loads no analyzer). */
import { findContract } from '../build/find.js';
import type { ContractHandle, Project } from '../build/types.js';
import { inputError, isPatchgateError } from '../core/errors.js';

/**
 * The reference in its build. In another build than the candidate's (a git revision), a name it lacks is a
 * contract that is new since then: said so, with what to do (there is no deployed version to compare with).
 */
export function findReference(project: Project, ref: string): ContractHandle {
  try {
    return findContract(project, ref);
  } catch (e) {
    if (!project.label || !isPatchgateError(e) || e.code !== 'unknown-contract') throw e;
    throw inputError(
      'contract-not-in-revision',
      `reference ${ref} does not exist in ${project.label}${project.label.includes(' at ') ? ': it is new since then, so no deployed version can be compared' : ''}`,
      `if it is not live yet, drop its patch from the config (or the pair) until it is; otherwise name the live one (${e.hint ?? ''})`,
    );
  }
}
