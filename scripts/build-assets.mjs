// Copies the front-end libraries installed by `npm ci` into shequ/static/vendor.
// Nothing third-party is committed: the lock file pins versions, this script places the files.
import { cpSync, mkdirSync, rmSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "shequ", "static", "vendor");
const nm = join(root, "node_modules");

const files = {
  "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
  "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
  "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
  "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
  "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
  "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
  "jsqr/dist/jsQR.js": "jsqr/jsQR.js",
  "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
  "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
  "leaflet/dist/images": "leaflet/images",
  "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.js": "geoman/leaflet-geoman.js",
  "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css": "geoman/leaflet-geoman.css",
};

rmSync(out, { recursive: true, force: true });
for (const [src, dst] of Object.entries(files)) {
  const from = join(nm, src);
  if (!existsSync(from)) {
    console.error(`缺少前端依赖文件 / missing front-end file: ${src} (run npm ci first)`);
    process.exit(1);
  }
  mkdirSync(dirname(join(out, dst)), { recursive: true });
  cpSync(from, join(out, dst), { recursive: true });
}
console.log(`front-end assets copied to ${out}`);
