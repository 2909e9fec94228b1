/** The lifecycle's crash points (see src/failpoint.ts, where the function lives so lower layers can use it). */
export { failpoint } from '../core/failpoint.js';
