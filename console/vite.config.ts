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
  // `npm run dev`: Vite serves the app under /console/; every other path (Lambda, S3, SQS, API
  // Gateway v2, Scheduler, Logs, /nimbus) goes to a running Nimbus, as it does when Nimbus serves
  // the built app on its own origin.
  server: {
    proxy: { '^/(?!console(/|$))': { target: process.env.NIMBUS_ENDPOINT ?? 'http://127.0.0.1:9000' } },
  },
});
