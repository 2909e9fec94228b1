/**
 * The web page's build: `vite build web` writes dist/web/, which `patchgate serve` serves at `/` (src/server/static.ts).
 * `vite web` is a dev server whose /api and /openapi.json go to a `patchgate serve` on its default port.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API = process.env.PATCHGATE_API ?? 'http://127.0.0.1:8547';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web/', import.meta.url)),
    emptyOutDir: true,
    // No source maps in the package: the page's source is in web/src.
    sourcemap: false,
  },
  // The API refuses a POST whose Origin is another origin (CSRF, docs/security.md): the proxy presents the API's own.
  server: {
    proxy: {
      '/api': { target: API, changeOrigin: true, headers: { origin: API } },
      '/openapi.json': API,
    },
  },
});
