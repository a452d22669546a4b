// Copies the front-end libraries the web workspace uses from node_modules into
// src/tocsin/web/static/vendor/ and writes vendor/MANIFEST.json (package, version, licence,
// sha256 of every file). The copied files are committed: the server never fetches anything and
// CI needs no npm. Run after `npm ci`:  npm run build
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const vendor = join(here, "..", "src", "tocsin", "web", "static", "vendor");

// package -> [[file in the package, name in vendor/<package>/], ...]
const FILES = {
  "chart.js": [
    ["dist/chart.umd.min.js", "chart.umd.min.js"],
    ["LICENSE.md", "LICENSE.md"],
  ],
  cytoscape: [
    ["dist/cytoscape.min.js", "cytoscape.min.js"],
    ["LICENSE", "LICENSE"],
  ],
  "swagger-ui-dist": [
    ["swagger-ui-bundle.js", "swagger-ui-bundle.js"],
    ["swagger-ui.css", "swagger-ui.css"],
    ["favicon-32x32.png", "favicon-32x32.png"],
    ["LICENSE", "LICENSE"],
  ],
  "world-atlas": [
    ["countries-50m.json", "countries-50m.json"],
    ["LICENSE", "LICENSE"],
  ],
};

rmSync(vendor, { recursive: true, force: true });
const manifest = {};
for (const [pkg, files] of Object.entries(FILES)) {
  const meta = JSON.parse(readFileSync(join(modules, pkg, "package.json"), "utf8"));
  const entry = { version: meta.version, license: meta.license, files: {} };
  mkdirSync(join(vendor, pkg), { recursive: true });
  for (const [from, to] of files) {
    const target = join(vendor, pkg, to);
    copyFileSync(join(modules, pkg, from), target);
    entry.files[to] = createHash("sha256").update(readFileSync(target)).digest("hex");
  }
  manifest[pkg] = entry;
}
writeFileSync(join(vendor, "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored ${Object.keys(manifest).join(", ")} into ${vendor}`);
