import { defineConfig } from 'vite';

// No React plugin: esbuild compiles JSX (automatic runtime); the console has no fast-refresh needs.
export default defineConfig({
  base: '/console/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 800,
    reportCompressedSize: false,
  },
  server: { proxy: { '/nimbus': 'http://127.0.0.1:9000', '/2015-03-31': 'http://127.0.0.1:9000' } },
});
