// After `vite build`: puts Swagger UI's two files (from the pinned swagger-ui-dist package) next
// to public/docs/, so the web UI serves the API documentation at /docs/ with nothing fetched
// from the internet.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const source = dirname(require.resolve("swagger-ui-dist/package.json"));
const target = join(import.meta.dirname, "..", "dist", "docs");
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  copyFileSync(join(source, file), join(target, file === "LICENSE" ? "swagger-ui-LICENSE" : file));
}
console.log(`Swagger UI copied to ${target}`);
