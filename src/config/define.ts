import type { ConfigInput } from './schema.js';

/** Typed helper for `patchgate.config.ts`: `export default defineConfig({ … })`. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}
