import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// One single-page app for the three surfaces (/, /display, /admin); the server serves dist/.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://localhost:8080' } },
});
