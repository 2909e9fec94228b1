import type { ConfigInput } from './schema.js';

/**
 * Typed helper for `patchgate.config.ts`: `export default defineConfig({ … })`.
 *
 * @example
 * ```ts
 * // patchgate.config.ts
 * import { defineConfig } from 'patchgate';
 * export default defineConfig({
 *   contracts: { vault: { kind: 'transparent', reference: 'src/VaultV1.sol:VaultV1' } },
 *   patches: [{ name: 'fix', contract: 'vault', candidate: 'src/VaultV2.sol:VaultV2' }],
 * });
 * ```
 */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
