#!/usr/bin/env node
// serve.mjs: the tiny static HTTP server of the browser tests (Node
// built-ins only).  It serves the test page tests/e2e/browser/ at / and
// SIP.js's own ES modules (node_modules/sip.js/lib, no bundling needed: they
// import each other by relative .js paths) at /sip.js/.  GET/HEAD only,
// no directory listings, nothing outside those two folders.
//
// A module script cannot be loaded from file:// (Chromium blocks it as a
// cross-origin request), and getUserMedia needs a secure context: serve on
// 127.0.0.1 (or localhost), which browsers treat as potentially trustworthy.
//
// Usage: node serve.mjs [--host 127.0.0.1] [--port 8090] [--lifetime S]
// Prints "serving http://HOST:PORT/" once listening; exits on SIGTERM/SIGINT
// or after --lifetime seconds (default 600) so it can never be left behind.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const roots = [
	{ prefix: "/sip.js/", dir: join(here, "node_modules", "sip.js", "lib") },
	{ prefix: "/", dir: join(here, "browser") },
];
const types = {
	".html": "text/html; charset=utf-8",
	".mjs": "text/javascript; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
	".json": "application/json",
	".map": "application/json",
	".css": "text/css",
	".ico": "image/x-icon",
};

function arg(name, dflt) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const host = arg("--host", "127.0.0.1");
const port = Number(arg("--port", "8090"));
const lifetime = Number(arg("--lifetime", "600"));

// Map a URL path to a file below one of the roots, or null.
function resolve(path) {
	let p;
	try {
		p = decodeURIComponent(path.split("?")[0]);
	} catch {
		return null;
	}
	if (p === "/")
		p = "/index.html";
	for (const r of roots) {
		if (!p.startsWith(r.prefix))
			continue;
		const file = normalize(join(r.dir, p.slice(r.prefix.length)));
		if (file !== r.dir && !file.startsWith(r.dir + sep))
			return null;
		return file;
	}
	return null;
}

const server = createServer(async (req, res) => {
	if (req.method !== "GET" && req.method !== "HEAD") {
		res.writeHead(405, { Allow: "GET, HEAD" }).end();
		return;
	}
	const file = resolve(req.url || "/");
	if (file === null) {
		res.writeHead(404).end();
		return;
	}
	try {
		const body = await readFile(file);
		const ext = file.slice(file.lastIndexOf("."));
		res.writeHead(200, {
			"Content-Type": types[ext] || "application/octet-stream",
			"Content-Length": body.length,
			"Cache-Control": "no-store",
		});
		res.end(req.method === "HEAD" ? undefined : body);
	} catch {
		res.writeHead(404).end();
	}
});

server.on("error", (e) => {
	process.stderr.write(`serve: ${e.message}\n`);
	process.exit(1);
});
server.listen(port, host, () => {
	process.stdout.write(`serving http://${host}:${port}/\n`);
});

function stop() {
	server.close(() => process.exit(0));
	server.closeAllConnections();
	setTimeout(() => process.exit(0), 500).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, lifetime * 1000).unref();
