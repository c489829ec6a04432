#!/usr/bin/env node
// ws-raw.mjs: a raw WebSocket client (plain net/tls sockets, our own
// RFC 6455 framing) that sends one kind of bad or edge-case input to the
// SBC's ws/wss listener and checks how it is handled.  Everything is
// bounded by --timeout; the result is one JSON line
//   {case, ok, outcome, status, code, elapsed, detail}
// and the exit status is 0 when the outcome is the one expected.
//
// Usage: node ws-raw.mjs --url ws://HOST:PORT --case NAME [options]
//   --origin URL       Origin for the handshake of every case (default none)
//   --max N            signaling.max_ws_message of the server (oversize cases)
//   --hs-timeout S     signaling.ws_handshake_timeout of the server (slowloris)
//   --timeout S        limit of the whole case (default 10)
//
// Cases and what passes:
//   options            OPTIONS over WS is answered 200
//   unknown-method     a well-formed FOO request gets 501
//   garbage            text that is not SIP: a 4xx/5xx, a close, or it is
//   no-callid          dropped and the connection still works (an OPTIONS
//   no-cseq            sent after it on the same connection gets 200);
//   no-via             never a 2xx/1xx for it, never a hang.  (A reply
//                      must copy Via, Call-ID and CSeq: without them
//                      dropping is right, RFC 3261 sections 8.2.6, 18.2.2)
//   cseq-mismatch      an INVITE whose CSeq says OPTIONS: 400
//   oversize           one text frame of max+1024 bytes: close 1009
//   oversize-fragments a message of 3 fragments, each < max, total > max: close 1009
//   unmasked           a client frame without mask: close 1002
//   bad-origin         handshake with a foreign Origin: HTTP 403
//   good-origin        handshake with --origin (an allowed one): HTTP 101
//   bad-host           handshake with Host: evil.example (not allowed): HTTP 403
//   no-protocol        handshake without Sec-WebSocket-Protocol: sip: HTTP 400
//   slowloris          a handshake trickled one byte per 300 ms, never
//                      finished: the server closes it between --hs-timeout
//                      minus 0.5 s and --hs-timeout plus 2 s
import { randomBytes } from "node:crypto";
import net from "node:net";
import tls from "node:tls";

// ------------------------------------------------------------ arguments
function usage(msg) {
	process.stderr.write(`ws-raw: ${msg}\n` +
	    "usage: ws-raw.mjs --url ws://HOST:PORT --case NAME [--origin URL] " +
	    "[--max N] [--hs-timeout S] [--timeout S]\n");
	process.exit(2);
}

const args = { url: null, case: null, origin: null, max: 65536, hsTimeout: 10, timeout: 10 };
{
	const map = { "--url": "url", "--case": "case", "--origin": "origin",
	    "--max": "max", "--hs-timeout": "hsTimeout", "--timeout": "timeout" };
	const argv = process.argv.slice(2);
	for (let i = 0; i < argv.length; i++) {
		if (!(argv[i] in map) || i + 1 >= argv.length)
			usage(`bad argument '${argv[i]}'`);
		args[map[argv[i]]] = argv[++i];
	}
	for (const k of ["max", "hsTimeout", "timeout"]) {
		args[k] = Number(args[k]);
		if (!Number.isFinite(args[k]) || args[k] <= 0)
			usage(`bad --${k}`);
	}
	if (!args.url || !/^wss?:\/\/[^/]+/.test(args.url))
		usage("--url ws://HOST:PORT or wss://HOST:PORT is required");
	if (!args.case)
		usage("--case is required");
}
const url = new URL(args.url);
const secure = url.protocol === "wss:";
const host = url.hostname.replace(/^\[|\]$/g, "");
const port = Number(url.port || (secure ? 443 : 80));
const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;

// ------------------------------------------------------------ connection
// A connection: bytes in, a parsed handshake response, then server frames.
class Conn {
	constructor() {
		this.buf = Buffer.alloc(0);
		this.handshake = null;	// {status, headers}
		this.closed = false;	// TCP closed
		this.closeCode = null;	// from a close frame
		this.texts = [];	// text/binary messages received
		this.frag = [];
		this.waiters = [];
	}

	open() {
		return new Promise((resolve, reject) => {
			const opts = { host, port };
			const sock = secure ?
			    tls.connect({ ...opts, rejectUnauthorized: false, servername: net.isIP(host) ? undefined : host }) :
			    net.connect(opts);
			this.sock = sock;
			sock.setNoDelay(true);
			sock.once(secure ? "secureConnect" : "connect", () => resolve(this));
			sock.on("data", (d) => { this.buf = Buffer.concat([this.buf, d]); this.parse(); });
			sock.on("error", (e) => { this.error = e.message; });
			sock.on("close", () => { this.closed = true; this.wake(); });
			sock.once("error", reject);
		});
	}

	write(b) {
		return new Promise((resolve) => {
			if (this.closed || this.sock.destroyed)
				return resolve(false);
			this.sock.write(b, (err) => resolve(!err));
		});
	}

	wake() {
		const w = this.waiters;
		this.waiters = [];
		w.forEach((f) => f());
	}

	// Resolve when pred() holds or the connection closes; false on timeout.
	until(pred, seconds) {
		return new Promise((resolve) => {
			const check = () => {
				if (pred())
					return done(true);
				if (this.closed)
					return done(pred());
				this.waiters.push(check);
			};
			const t = setTimeout(() => done(false), seconds * 1000);
			let fired = false;
			const done = (v) => { if (!fired) { fired = true; clearTimeout(t); resolve(v); } };
			check();
		});
	}

	parse() {
		if (this.handshake === null) {
			const end = this.buf.indexOf("\r\n\r\n");
			if (end < 0)
				return;
			const head = this.buf.subarray(0, end).toString("latin1").split("\r\n");
			const m = /^HTTP\/1\.1 (\d{3})/.exec(head[0]);
			const headers = {};
			for (const l of head.slice(1)) {
				const i = l.indexOf(":");
				if (i > 0)
					headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
			}
			this.handshake = { status: m ? Number(m[1]) : 0, headers };
			this.buf = this.buf.subarray(end + 4);
		}
		for (;;) {
			const f = readFrame(this.buf);
			if (f === null)
				break;
			this.buf = this.buf.subarray(f.size);
			this.onFrame(f);
		}
		this.wake();
	}

	onFrame(f) {
		switch (f.opcode) {
		case 0x8:
			this.closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
			this.closeReason = f.payload.subarray(2).toString("utf8");
			break;
		case 0x9:
			this.write(frame(0xA, f.payload));
			break;
		case 0xA:
			break;
		default:
			this.frag.push(f.payload);
			if (f.fin) {
				this.texts.push(Buffer.concat(this.frag).toString("utf8"));
				this.frag = [];
			}
		}
	}

	end() {
		if (!this.sock.destroyed)
			this.sock.destroy();
	}
}

// A server frame (never masked by a conforming server, parsed either way).
function readFrame(b) {
	if (b.length < 2)
		return null;
	const fin = (b[0] & 0x80) !== 0;
	const opcode = b[0] & 0x0f;
	const masked = (b[1] & 0x80) !== 0;
	let len = b[1] & 0x7f, off = 2;
	if (len === 126) {
		if (b.length < 4)
			return null;
		len = b.readUInt16BE(2);
		off = 4;
	} else if (len === 127) {
		if (b.length < 10)
			return null;
		len = Number(b.readBigUInt64BE(2));
		off = 10;
	}
	const mask = masked ? b.subarray(off, off + 4) : null;
	if (masked)
		off += 4;
	if (b.length < off + len)
		return null;
	const payload = Buffer.from(b.subarray(off, off + len));
	if (mask)
		for (let i = 0; i < payload.length; i++)
			payload[i] ^= mask[i % 4];
	return { fin, opcode, payload, size: off + len };
}

// A client frame: masked unless told otherwise.
function frame(opcode, payload, { fin = true, mask = true } = {}) {
	const p = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
	let head;
	if (p.length < 126) {
		head = Buffer.from([0, p.length]);
	} else if (p.length < 65536) {
		head = Buffer.alloc(4);
		head[1] = 126;
		head.writeUInt16BE(p.length, 2);
	} else {
		head = Buffer.alloc(10);
		head[1] = 127;
		head.writeBigUInt64BE(BigInt(p.length), 2);
	}
	head[0] = (fin ? 0x80 : 0) | opcode;
	if (!mask)
		return Buffer.concat([head, p]);
	head[1] |= 0x80;
	const key = randomBytes(4);
	const body = Buffer.from(p);
	for (let i = 0; i < body.length; i++)
		body[i] ^= key[i % 4];
	return Buffer.concat([head, key, body]);
}

function handshakeRequest({ protocol = "sip", origin = args.origin, host = url.host } = {}) {
	const lines = [
		"GET / HTTP/1.1",
		`Host: ${host}`,
		"Upgrade: websocket",
		"Connection: Upgrade",
		`Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
		"Sec-WebSocket-Version: 13",
	];
	if (protocol !== null)
		lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
	if (origin !== null)
		lines.push(`Origin: ${origin}`);
	lines.push("User-Agent: ws-raw-probe", "", "");
	return lines.join("\r\n");
}

// Open and upgrade; throws unless the server answers 101.
async function openWs(opts) {
	const c = await new Conn().open();
	await c.write(handshakeRequest(opts));
	await c.until(() => c.handshake !== null, 5);
	if (!c.handshake || c.handshake.status !== 101)
		throw new Error(`handshake: ${c.handshake ? "HTTP " + c.handshake.status : "no answer"}`);
	return c;
}

// ------------------------------------------------------------ SIP
const tok = (n = 10) => randomBytes(n).toString("hex").slice(0, n);
const callId = tok(16);

// A request as a browser SIP stack builds it; drop lists headers to omit.
function sipRequest(method, { drop = [], body = "", extra = [] } = {}) {
	const hdrs = [
		["Via", `SIP/2.0/${secure ? "WSS" : "WS"} ${tok(12)}.invalid;branch=z9hG4bK${tok(12)}`],
		["Max-Forwards", "70"],
		["To", "<sip:1000@sbc.test>"],
		["From", `<sip:probe@sbc.test>;tag=${tok(8)}`],
		["Call-ID", `${callId}-${method}`],
		["CSeq", `1 ${method}`],
		["Contact", `<sip:${tok(8)}@${tok(12)}.invalid;transport=ws>`],
		["User-Agent", "ws-raw-probe"],
	].filter(([name]) => !drop.includes(name)).concat(extra);
	return `${method} sip:1000@sbc.test SIP/2.0\r\n` +
	    hdrs.map(([n, v]) => `${n}: ${v}\r\n`).join("") +
	    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

// Status code of the first SIP response received from index `from` on.
function sipStatus(c, from = 0) {
	for (const t of c.texts.slice(from)) {
		const m = /^SIP\/2\.0 (\d{3})/.exec(t);
		if (m)
			return Number(m[1]);
	}
	return null;
}

async function expectSipStatus(method, want, payload = sipRequest(method)) {
	const c = await openWs();
	await c.write(frame(0x1, payload));
	await c.until(() => sipStatus(c) !== null, Math.min(5, args.timeout));
	const status = sipStatus(c);
	c.end();
	return { ok: status === want, outcome: status === null ? (c.closed ? "closed" : "no response") : "response",
		status, code: c.closeCode, detail: `expected SIP ${want}` };
}

// Bad input: a 4xx/5xx, a close, or dropped with the flow still working.
async function badInput(payload) {
	const c = await openWs();
	await c.write(frame(0x1, payload));
	await c.until(() => c.closeCode !== null || c.closed ||
	    sipStatus(c) !== null, 2);
	const status = sipStatus(c);
	if (status !== null) {
		c.end();
		return { ok: status >= 400 && status < 700, outcome: "response", status,
			detail: "a SIP error response is expected, not " + status };
	}
	if (c.closeCode !== null || c.closed) {
		c.end();
		return { ok: true, outcome: "closed", code: c.closeCode };
	}
	// Silently dropped: the connection must still carry SIP.
	const n = c.texts.length;
	await c.write(frame(0x1, sipRequest("OPTIONS")));
	await c.until(() => sipStatus(c, n) !== null || c.closed, 3);
	const probe = sipStatus(c, n);
	c.end();
	return { ok: probe === 200, outcome: "dropped", status: probe,
		detail: probe === 200 ? "dropped; OPTIONS after it answered 200" :
		    "no response, and an OPTIONS after it got " + (probe ?? "nothing") };
}

async function expectClose(frames, want) {
	const c = await openWs();
	for (const f of frames)
		if (!(await c.write(f)))
			break;
	await c.until(() => c.closeCode !== null || c.closed, Math.min(5, args.timeout));
	c.end();
	return { ok: c.closeCode === want, outcome: c.closeCode !== null ? "close frame" :
		(c.closed ? "closed without close frame" : "still open"),
		code: c.closeCode, detail: `expected close ${want}${c.closeReason ? "; reason: " + c.closeReason : ""}` };
}

async function expectHttp(opts, want) {
	const c = await new Conn().open();
	await c.write(handshakeRequest(opts));
	await c.until(() => c.handshake !== null, 5);
	const status = c.handshake ? c.handshake.status : null;
	// A refusal must also end the connection.
	if (want !== 101)
		await c.until(() => c.closed, 3);
	c.end();
	const ok = status === want && (want === 101 || c.closed);
	return { ok, outcome: status === null ? "no answer" : "http", status,
		detail: `expected HTTP ${want}` + (want !== 101 && !c.closed ? " and a close" : "") };
}

async function slowloris() {
	const c = await new Conn().open();
	const req = handshakeRequest();
	const limit = args.hsTimeout + 2;
	let i = 0;
	// Trickle all but the final CRLF, one byte every 300 ms, then keep
	// sending header bytes so the request never completes.
	const trickle = setInterval(() => {
		if (c.closed)
			return clearInterval(trickle);
		const b = i < req.length - 2 ? req[i++] : "X";
		c.write(b);
	}, 300);
	await c.until(() => c.closed, limit + 1);
	clearInterval(trickle);
	const t = elapsed();
	c.end();
	const ok = c.closed && t >= args.hsTimeout - 0.5 && t <= limit;
	return { ok, outcome: c.closed ? "closed" : "still open", status: c.handshake ? c.handshake.status : null,
		detail: `closed after ${t.toFixed(1)} s; expected about ${args.hsTimeout} s` };
}

// ------------------------------------------------------------ cases
const big = (n) => "OPTIONS sip:1000@sbc.test SIP/2.0\r\nX-Pad: " + "a".repeat(n) + "\r\n\r\n";
const cases = {
	"options": () => expectSipStatus("OPTIONS", 200),
	"unknown-method": () => expectSipStatus("FOO", 501),
	"garbage": () => badInput("this is not SIP at all\r\n\x01\x02 {\"json\": true}\r\n\r\n"),
	"no-callid": () => badInput(sipRequest("INVITE", { drop: ["Call-ID"] })),
	"no-cseq": () => badInput(sipRequest("INVITE", { drop: ["CSeq"] })),
	"no-via": () => badInput(sipRequest("INVITE", { drop: ["Via"] })),
	"cseq-mismatch": () => expectSipStatus("INVITE", 400,
	    sipRequest("INVITE", { drop: ["CSeq"], extra: [["CSeq", "1 OPTIONS"]] })),
	"oversize": () => expectClose([frame(0x1, big(args.max + 1024))], 1009),
	"oversize-fragments": () => {
		const part = Math.floor(args.max * 0.6);
		const msg = Buffer.from(big(part * 3));
		return expectClose([
			frame(0x1, msg.subarray(0, part), { fin: false }),
			frame(0x0, msg.subarray(part, 2 * part), { fin: false }),
			frame(0x0, msg.subarray(2 * part), { fin: true }),
		], 1009);
	},
	"unmasked": () => expectClose([frame(0x1, sipRequest("OPTIONS"), { mask: false })], 1002),
	"bad-origin": () => expectHttp({ origin: "https://evil.example" }, 403),
	"good-origin": () => expectHttp({}, 101),
	"bad-host": () => expectHttp({ host: "evil.example:8080" }, 403),
	"no-protocol": () => expectHttp({ protocol: null }, 400),
	"slowloris": slowloris,
};

if (!(args.case in cases))
	usage(`unknown case '${args.case}'; one of: ${Object.keys(cases).join(", ")}`);

const overall = setTimeout(() => {
	report({ ok: false, outcome: "timeout", detail: `no outcome within ${args.timeout} s` });
}, (args.case === "slowloris" ? Math.max(args.timeout, args.hsTimeout + 4) : args.timeout) * 1000);

let reported = false;
function report(r) {
	if (reported)
		return;
	reported = true;
	clearTimeout(overall);
	const out = { case: args.case, ok: r.ok, outcome: r.outcome ?? null, status: r.status ?? null,
		code: r.code ?? null, elapsed: Number(elapsed().toFixed(2)), detail: r.detail ?? null };
	process.stdout.write(JSON.stringify(out) + "\n");
	process.exit(r.ok ? 0 : 1);
}

cases[args.case]().then(report, (e) => report({ ok: false, outcome: "error", detail: e.message }));
