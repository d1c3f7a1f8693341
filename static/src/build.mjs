// `npm run build`: compile static/src/app.scss and copy the few files the pages load into
// static/build/. Fails if the CSS would load GDS Transport or anything we did not copy.

import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const src = join(root, "static", "src");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const { css } = sass.compile(join(src, "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});

if (/@font-face/i.test(css) || /GDS Transport/i.test(css)) {
  throw new Error("app.css must not declare or name the GDS Transport font");
}
const urls = [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]);
const copied = new Set(["app.css", "app.js", "govuk-frontend.min.js", "favicon.svg"]);
for (const url of urls) {
  if (url.startsWith("data:")) {
    throw new Error(`app.css uses a data: URL, which the CSP blocks: ${url.slice(0, 40)}`);
  }
  const name = url.replace(/^\/static\/build\//, "");
  if (!copied.has(name)) {
    throw new Error(`app.css refers to ${url}, which the build does not ship`);
  }
}

writeFileSync(join(out, "app.css"), css);
copyFileSync(join(src, "app.mjs"), join(out, "app.js"));
// Without its source map: Django's manifest storage refuses a JS file whose map is missing.
const govukJs = readFileSync(join(govuk, "govuk-frontend.min.js"), "utf8");
writeFileSync(
  join(out, "govuk-frontend.min.js"),
  govukJs.replace(/\/\/# sourceMappingURL=\S+\s*$/, "\n"),
);
copyFileSync(join(src, "favicon.svg"), join(out, "favicon.svg"));

console.log(`static/build: ${readdirSync(out).sort().join(", ")} (${css.length} bytes of CSS)`);
