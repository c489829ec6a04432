#!/usr/bin/env node
// build.mjs: assemble the softphone's web root (what the SBC serves, see
// web.root) in OUTDIR: phone.js (src/phone.js bundled with SIP.js by
// esbuild: one file, no CDN, minified, with a source-less banner naming
// its parts) and the static files next to this script.  Run by the build
// (Makefile.am) as: node web/build.mjs OUTDIR; needs `npm ci` in web/
// (scripts/install-deps does it).
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2];
const statics = ["index.html", "style.css", "favicon.svg"];

if (!out) {
	process.stderr.write("usage: node build.mjs OUTDIR\n");
	process.exit(2);
}
let esbuild;
try {
	esbuild = await import(join(here, "node_modules", "esbuild", "lib", "main.js"));
} catch (e) {
	process.stderr.write(`build.mjs: esbuild not installed (run npm ci in ${here}): ${e.message}\n`);
	process.exit(1);
}
await mkdir(out, { recursive: true });
await esbuild.build({
	entryPoints: [join(here, "src", "phone.js")],
	bundle: true,
	minify: true,
	format: "iife",
	target: ["chrome100", "firefox100", "safari15"],
	outfile: join(out, "phone.js"),
	banner: { js: "/* sbc softphone: web/src/*.js with SIP.js (MIT), bundled by esbuild */" },
	logLevel: "warning",
	nodePaths: [join(here, "node_modules")],
});
for (const f of statics)
	await copyFile(join(here, f), join(out, f));
