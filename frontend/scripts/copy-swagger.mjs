// After `vite build`: puts Swagger UI's two files (from the pinned swagger-ui-dist package) into
// dist/docs/ with its version in their names, and points dist/docs/index.html at them, so the web
// UI serves the API documentation at /docs/ with nothing fetched from the internet, and nginx can
// let browsers keep the large files for good (a new version is a new name).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const source = dirname(require.resolve("swagger-ui-dist/package.json"));
const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
const target = join(import.meta.dirname, "..", "dist", "docs");
mkdirSync(target, { recursive: true });
const names = {
  "swagger-ui-bundle.js": `swagger-ui-bundle.${version}.js`,
  "swagger-ui.css": `swagger-ui.${version}.css`,
};
for (const [file, versioned] of Object.entries(names)) {
  copyFileSync(join(source, file), join(target, versioned));
}
copyFileSync(join(source, "LICENSE"), join(target, "swagger-ui-LICENSE"));
const index = join(target, "index.html");
let html = readFileSync(index, "utf8");
for (const [file, versioned] of Object.entries(names)) {
  if (!html.includes(`"${file}"`)) throw new Error(`docs/index.html does not load ${file}`);
  html = html.replace(`"${file}"`, `"${versioned}"`);
}
writeFileSync(index, html);
console.log(`Swagger UI ${version} copied to ${target}`);
