import { defineConfig } from 'vite';

/**
 * The console is built from this folder (`vite build web`) into web/dist,
 * which the API server serves at `/`. esbuild compiles TSX directly, so no
 * framework plugin is needed.
 */
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows only 'self' scripts: keep every script in a file.
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npx vite web` during development: API calls go to a local `stint serve`.
    proxy: { '/v1': 'http://127.0.0.1:7070' },
  },
});
