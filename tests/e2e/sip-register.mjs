#!/usr/bin/env node
// sip-register.mjs: a command-line SIP user agent on SIP.js (UserAgent +
// Registerer) that registers through the SBC over SIP-over-WebSocket (RFC
// 7118) the way a browser does, and reports the outcome as one JSON line:
//   {status, contacts, contact, require, unregisterStatus, unregisterContacts,
//    callId, error}
// status: final response code to the REGISTER (after SIP.js has answered
// one digest challenge itself: with wrong credentials the registrar
// challenges again, SIP.js gives up and 401 is the final status).
// contacts: the Contact values of that 200 OK, [{uri, expires, instance,
// regId}] (every live binding of the AOR); contact: our own Contact URI.
// Exit status 0 only if every expectation given on the command line was met.
//
// Sequence: REGISTER; with --unregister-after S, S seconds later (or at
// SIGUSR1) REGISTER with expires=0 (unregisterStatus, unregisterContacts:
// the bindings left); with --hold S, keep the WebSocket open S more seconds
// (another client can observe the binding); then close the WebSocket (close
// 1000) *without* unregistering, so the registrar sees the flow end.
// SIGTERM/SIGINT skip what is left and close the same way.
//
// Usage: node sip-register.mjs --ws ws://127.0.0.1:8080 [options]
//   --aor URI             address of record (default sip:alice@sbc.test);
//                         the Request-URI is its domain
//   --user U --pass P     digest credentials (authorizationUsername/Password)
//   --expires N           expires asked for (default 600)
//   --instance URN        urn:uuid:... : Contact gets +sip.instance and
//                         reg-id=1 (RFC 5626)
//   --unregister-after S  unregister S seconds after a 200, or on SIGUSR1
//   --hold S              keep the WebSocket open S seconds at the end
//   --expect N            final status expected (default 200)
//   --progress FILE       append the JSON result after each final response
//                         (lets a script wait for "registered" while we hold)
//   --timeout S           overall limit (default 20, plus --hold and
//                         --unregister-after)
//   --local-address IP    source address of the WebSocket connection
//   --verbose             SIP.js logs and SIP traces on stderr
import { appendFileSync } from "node:fs";
import { WebSocket as WsSocket } from "ws";
import { parseOptions } from "./args.mjs";
import { Registerer, UserAgent } from "sip.js";

// ------------------------------------------------------------ arguments
function usage(msg) {
	process.stderr.write(`sip-register: ${msg}\n` +
	    "usage: sip-register.mjs --ws URL [--aor URI] [--user U --pass P] " +
	    "[--expires N] [--instance urn:uuid:...] [--unregister-after S] " +
	    "[--hold S] [--expect N] [--progress FILE] [--timeout S] " +
	    "[--local-address IP] " +
	    "[--verbose]\n");
	process.exit(2);
}

function parseArgs(argv) {
	let a = {
		ws: null, aor: "sip:alice@sbc.test", user: null, pass: null,
		expires: 600, instance: null, unregisterAfter: null, hold: 0,
		expect: 200, progress: null, timeout: 20, verbose: false,
		localAddress: null,
	};
	const withValue = {
		"--ws": "ws", "--aor": "aor", "--user": "user", "--pass": "pass",
		"--expires": "expires", "--instance": "instance",
		"--unregister-after": "unregisterAfter", "--hold": "hold",
		"--expect": "expect", "--progress": "progress",
		"--timeout": "timeout", "--local-address": "localAddress",
	};
	const numeric = ["expires", "unregisterAfter", "hold", "expect", "timeout"];
	a = parseOptions(argv, a, withValue, { "--verbose": "verbose" },
	    numeric, usage);
	if (!a.ws || !/^wss?:\/\//.test(a.ws))
		usage("--ws ws://HOST:PORT or wss://HOST:PORT is required");
	if ((a.user === null) !== (a.pass === null))
		usage("--user and --pass go together");
	if (a.instance !== null) {
		const m = /^urn:uuid:([0-9a-f-]{36})$/i.exec(a.instance);
		if (!m)
			usage("--instance must be urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
		a.uuid = m[1];
	}
	return a;
}

const args = parseArgs(process.argv.slice(2));

// ------------------------------------------------------------ result
const result = {
	status: null,		// final response to the REGISTER
	contacts: [],		// Contact values of its 200: every live binding
	contact: null,		// our Contact URI
	unregisterStatus: null,
	unregisterContacts: [],
	callId: null,
	error: null,
};
let finished = false;

function fail(msg) {
	if (result.error === null)
		result.error = msg;
}

// ------------------------------------------------------------ WebSocket
// SIP.js calls `new WebSocket(server, "sip")` with the browser event API,
// which ws offers; the wrapper adds the options a browser would not take.
// It also notes the last REGISTER response seen on the wire, so that a
// response SIP.js drops without calling our delegate (a 200 without our
// Contact, a 423 without Min-Expires) is still reported.
let lastWsError = null;
let wire = null;	// {status, contacts} of the last REGISTER response
let socket = null;

function parseWireResponse(text) {
	const [head] = text.split("\r\n\r\n");
	const lines = head.split("\r\n");
	const st = /^SIP\/2\.0 (\d{3}) /.exec(lines[0]);
	if (!st || !/^(CSeq|cseq):\s*\d+\s+REGISTER\s*$/m.test(head))
		return;
	const contacts = [];
	for (const l of lines.slice(1)) {
		const m = /^(?:Contact|m)\s*:\s*(.*)$/i.exec(l);
		if (m)
			contacts.push(...splitContacts(m[1]));
	}
	wire = { status: Number(st[1]), contacts: contacts.map(parseContact) };
}

class NodeWebSocket extends WsSocket {
	constructor(url, protocols) {
		super(url, protocols, { rejectUnauthorized: false, handshakeTimeout: 5000,
		    localAddress: args.localAddress ?? undefined });
		socket = this;
		this.on("error", (e) => { lastWsError = e.message; });
		this.on("message", (data) => {
			try {
				parseWireResponse(Buffer.from(data).toString("utf8"));
			} catch (e) {
				// diagnostics only
			}
		});
	}
}
globalThis.WebSocket = NodeWebSocket;

// ------------------------------------------------------------ Contact values
// Split a Contact header value at the commas that are outside <> and "".
function splitContacts(v) {
	const out = [];
	let cur = "", angle = false, quote = false;
	for (const ch of v) {
		if (ch === '"' && !angle)
			quote = !quote;
		else if (ch === "<" && !quote)
			angle = true;
		else if (ch === ">" && !quote)
			angle = false;
		if (ch === "," && !angle && !quote) {
			out.push(cur.trim());
			cur = "";
		} else {
			cur += ch;
		}
	}
	if (cur.trim() !== "")
		out.push(cur.trim());
	return out;
}

// '<sip:x@y;transport=ws>;expires=600;+sip.instance="<urn:..>"' → object
function parseContact(v) {
	const m = /^[^<]*<([^>]*)>(.*)$/.exec(v);
	const uri = m ? m[1] : v.split(";")[0].trim();
	const params = {};
	const rest = m ? m[2] : v.slice(uri.length);
	const re = /;\s*([^=;\s]+)(?:\s*=\s*("[^"]*"|[^;]*))?/g;
	let p;
	while ((p = re.exec(rest)) !== null)
		params[p[1].toLowerCase()] = p[2] === undefined ? "" :
		    p[2].trim().replace(/^"(.*)"$/, "$1");
	return {
		uri,
		expires: params.expires !== undefined ? Number(params.expires) : null,
		instance: params["+sip.instance"] !== undefined ?
		    params["+sip.instance"].replace(/^<(.*)>$/, "$1") : null,
		regId: params["reg-id"] !== undefined ? Number(params["reg-id"]) : null,
	};
}

function contactsOf(response) {
	const out = [];
	for (const h of response.message.getHeaders("contact"))
		out.push(...splitContacts(h));
	return out.map(parseContact);
}

// ------------------------------------------------------------ the registration
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
let ua = null;
let holdCut = null;	// resolves the hold early (SIGTERM, SIGINT)
const holdCutP = new Promise((r) => { holdCut = r; });
let unregisterNow = null;	// resolves the --unregister-after wait (SIGUSR1)
const unregisterNowP = new Promise((r) => { unregisterNow = r; });
let terminating = false;	// SIGTERM/SIGINT: no unregister, end the hold

function progress() {
	if (args.progress !== null)
		appendFileSync(args.progress, JSON.stringify(result) + "\n");
}

function expectationsMet() {
	if (result.error !== null || result.status !== args.expect)
		return false;
	if (args.expect === 200 && args.unregisterAfter !== null &&
	    result.unregisterStatus !== 200)
		return false;
	return true;
}

async function finish() {
	if (finished)
		return;
	finished = true;
	const ok = expectationsMet();
	process.stdout.write(JSON.stringify(result) + "\n");
	// Close the WebSocket (1000) without unregistering: UserAgent.stop()
	// would unregister first, and the point of --hold is that the flow
	// ending removes the binding.
	const close = new Promise((resolve) => {
		if (!socket || socket.readyState === WsSocket.CLOSED)
			return resolve();
		socket.once("close", resolve);
		try {
			socket.close(1000);
		} catch (e) {
			resolve();
		}
	});
	await Promise.race([close, sleep(1)]);
	process.exit(ok ? 0 : 1);
}

// One REGISTER (or unREGISTER) through the Registerer; resolves with the
// final response {status, contacts}, or null when SIP.js dropped it.
function send(registerer, unregister) {
	return new Promise((resolve) => {
		let done = false;
		const settle = (response) => {
			if (done)
				return;
			done = true;
			resolve(response);
		};
		const accept = (r) => settle({ status: r.message.statusCode,
		    contacts: contactsOf(r),
		    require: r.message.getHeaders("require").join(",") });
		const requestDelegate = {
			onAccept: accept,
			onReject: accept,
			onRedirect: accept,
		};
		// SIP.js drops some responses without calling the delegate; it
		// then leaves the waiting state: report what the wire showed.
		const onWaiting = (waiting) => {
			if (waiting)
				return;
			registerer.waitingChange.removeListener(onWaiting);
			setTimeout(() => {
				if (done)
					return;
				fail(`SIP.js dropped the response to REGISTER` +
				    (wire ? ` (${wire.status} on the wire)` : ""));
				settle(wire);
			}, 20);
		};
		registerer.waitingChange.addListener(onWaiting);
		const p = unregister ? registerer.unregister({ requestDelegate }) :
		    registerer.register({ requestDelegate });
		p.catch((e) => {
			fail(`${unregister ? "unregister" : "register"} failed: ${e.message}`);
			settle(null);
		});
	});
}

async function main() {
	const limit = args.timeout + args.hold + (args.unregisterAfter ?? 0);
	setTimeout(() => {
		fail(`timeout after ${limit} s`);
		finish();
	}, limit * 1000).unref();
	process.on("SIGUSR1", () => unregisterNow());
	for (const sig of ["SIGTERM", "SIGINT"])
		process.on(sig, () => {
			terminating = true;
			unregisterNow();
			holdCut();
			setTimeout(() => { fail(`${sig} before the end`); finish(); }, 3000).unref();
		});

	const logConnector = (level, category, label, content) => {
		if (args.verbose)
			process.stderr.write(`[${level}] ${category}: ${content}\n`);
	};
	const uri = UserAgent.makeURI(args.aor);
	if (!uri)
		usage("--aor must be a SIP URI");
	ua = new UserAgent({
		uri,
		transportOptions: {
			server: args.ws,
			connectionTimeout: 5,
			traceSip: args.verbose,
			keepAliveInterval: 0,
		},
		authorizationUsername: args.user ?? undefined,
		authorizationPassword: args.pass ?? undefined,
		instanceId: args.uuid ?? undefined,
		logBuiltinEnabled: false,
		logConnector,
		logLevel: args.verbose ? "debug" : "error",
		reconnectionAttempts: 0,
		delegate: {
			onDisconnect: (error) => {
				if (error && !finished) {
					fail(`WebSocket closed: ${lastWsError ?? error.message}`);
					setTimeout(finish, 20);
				}
			},
		},
	});
	result.contact = ua.contact.uri.toString();

	try {
		await ua.start();
	} catch (e) {
		fail(`WebSocket connect to ${args.ws} failed: ${lastWsError ?? e.message}`);
		return finish();
	}

	// With an instance id, the Registerer adds reg-id=1 and
	// +sip.instance="<urn:uuid:...>" (the UserAgent's instanceId).
	const registerer = new Registerer(ua, {
		expires: args.expires,
		regId: args.uuid ? 1 : undefined,
		logConfiguration: false,
	});
	result.callId = registerer.request.callId;

	const r = await send(registerer, false);
	if (r) {
		result.status = r.status;
		result.contacts = r.contacts;
		result.require = r.require ?? null;
	}
	progress();
	if (result.status === 200 && args.unregisterAfter !== null) {
		await Promise.race([sleep(args.unregisterAfter), unregisterNowP]);
		if (terminating)
			return finish();
		const u = await send(registerer, true);
		if (u) {
			result.unregisterStatus = u.status;
			result.unregisterContacts = u.contacts;
		}
		progress();
	}
	if (result.status === 200 && args.hold > 0)
		await Promise.race([sleep(args.hold), holdCutP]);
	finish();
}

main().catch((e) => {
	fail(String(e && e.stack ? e.stack : e));
	finish();
});
