/// <reference types="vitest/config" />
// Vite builds the chat UI; esbuild compiles the TSX (no React plugin needed for a production build).
import { defineConfig } from "vite";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  server: {
    port: 3000,
    // `npm run dev`: proxy the API like nginx does in production.
    proxy: { "/api/": { target: "http://127.0.0.1:8000", rewrite: (p) => p.replace(/^\/api/, "") } },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test-setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
