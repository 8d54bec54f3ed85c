// ESLint for the UI, its browser tests and its scripts (`npm run lint`, part of `npm test`): the
// recommended rules of ESLint, typescript-eslint, React's hooks (with the React Compiler's checks)
// and ESLint React. Warnings fail too (`--max-warnings 0`). The two React plugins overlap (the rules
// of hooks, purity): such a mistake is reported by both.
import eslintReact from "@eslint-react/eslint-plugin";
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  // The builds' output (the page's, the browser tests'), and the types generated from the OpenAPI
  // document.
  globalIgnores(["dist/", "e2e/build/", "src/api/schema.ts"]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // The page: runs in the browser.
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat.recommended, eslintReact.configs["recommended-typescript"]],
    languageOptions: { globals: globals.browser },
  },
  {
    // The API documentation's page: a plain script after Swagger UI's own, which defines its global.
    files: ["public/docs/*.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.browser, SwaggerUIBundle: "readonly" } },
  },
  {
    // The browser tests, scripts and configuration: run by Node (the tests' page callbacks run in
    // the browser, hence its globals too).
    files: ["e2e/**/*.ts", "scripts/**/*.mjs", "*.config.{js,ts}"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
