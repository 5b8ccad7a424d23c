// Builds the UI into ../build/web, the folder clinicd serves at "/" by default.
// `npx vite` serves the sources with the API proxied to a running clinicd (CLINIC_URL).
import { defineConfig } from 'vite';

const api = process.env.CLINIC_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or data: URLs: the pages run under a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: false },
      '/health': api,
    },
  },
});
