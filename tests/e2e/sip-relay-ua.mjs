#!/usr/bin/env node
// sip-relay-ua.mjs: a SIP.js user agent (UserAgent + Registerer) that
// stays registered through the SBC over SIP-over-WebSocket the way a
// browser does, for the relay-mode registrar test (register_relay.sh).
// It writes one JSON line per event to --events FILE:
//   {ev: "start", contact, callId}            our Contact URI, REGISTER Call-ID
//   {ev: "response", status, minExpires, contacts, raw}
//                                            every REGISTER response on the
//                                            wire (raw: its full text)
//   {ev: "registered", asked}                the Registerer is registered
//   {ev: "unregistered", status, contacts}   after SIGUSR1: the unregister's
//                                            final status and Contacts
//   {ev: "failed", status}                   a final failure of a REGISTER
//   {ev: "invite", ruri, raw}                an INVITE arrived; SIP.js
//                                            answers it 486 (no onInvite
//                                            delegate: a busy device)
//   {ev: "end", error}                       last line
// contacts: [{uri, expires, instance, regId}].
//
// Signals: SIGUSR1 unregisters (expires=0); SIGTERM/SIGINT close the
// WebSocket (1000) *without* unregistering, so the SBC sees the flow end,
// and exit.  Everything is bounded by --timeout.
//
// Usage: node sip-relay-ua.mjs --ws ws://127.0.0.1:8080 --events FILE
//   --aor URI          address of record (the Request-URI is its domain)
//   --user U --pass P  digest credentials
//   --expires N        expires asked for (default 600)
//   --instance URN     urn:uuid:...: +sip.instance and reg-id=1 (RFC 5626)
//   --timeout S        overall limit (default 60)
//   --verbose          SIP.js logs and SIP traces on stderr
import { appendFileSync } from "node:fs";
import { WebSocket as WsSocket } from "ws";
import { parseOptions } from "./args.mjs";
import { Registerer, RegistererState, UserAgent } from "sip.js";

function usage(msg) {
	process.stderr.write(`sip-relay-ua: ${msg}\n` +
	    "usage: sip-relay-ua.mjs --ws URL --events FILE --aor URI " +
	    "[--user U --pass P] [--expires N] [--instance urn:uuid:...] " +
	    "[--timeout S] [--verbose]\n");
	process.exit(2);
}

const args = parseOptions(process.argv.slice(2), {
	ws: null, events: null, aor: null, user: null, pass: null,
	expires: 600, instance: null, timeout: 60, verbose: false,
}, {
	"--ws": "ws", "--events": "events", "--aor": "aor", "--user": "user",
	"--pass": "pass", "--expires": "expires", "--instance": "instance",
	"--timeout": "timeout",
}, { "--verbose": "verbose" }, ["expires", "timeout"], usage);
if (!args.ws || !args.events || !args.aor)
	usage("--ws, --events and --aor are required");
let uuid;
if (args.instance !== null) {
	const m = /^urn:uuid:([0-9a-f-]{36})$/i.exec(args.instance);
	if (!m)
		usage("--instance must be urn:uuid:<36 characters>");
	uuid = m[1];
}

function emit(o) {
	appendFileSync(args.events, JSON.stringify(o) + "\n");
}

// ------------------------------------------------------------ the wire
// Split a Contact header value at the commas outside <> and "".
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

function parseContact(v) {
	const m = /^[^<]*<([^>]*)>(.*)$/.exec(v);
	const uri = m ? m[1] : v.split(";")[0].trim();
	const params = {};
	const re = /;\s*([^=;\s]+)(?:\s*=\s*("[^"]*"|[^;]*))?/g;
	let p;
	while ((p = re.exec(m ? m[2] : v.slice(uri.length))) !== null)
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

// One message from the SBC: REGISTER responses and INVITEs are noted.
function onWire(text) {
	const [head] = text.split("\r\n\r\n");
	const lines = head.split("\r\n");
	if (/^INVITE /.test(lines[0])) {
		emit({ ev: "invite", ruri: lines[0].split(" ")[1], raw: text });
		return;
	}
	const st = /^SIP\/2\.0 (\d{3}) /.exec(lines[0]);
	if (!st || !/^(CSeq|cseq):\s*\d+\s+REGISTER\s*$/m.test(head))
		return;
	const contacts = [];
	let minExpires = null;
	for (const l of lines.slice(1)) {
		const c = /^(?:Contact|m)\s*:\s*(.*)$/i.exec(l);
		if (c)
			contacts.push(...splitContacts(c[1]).map(parseContact));
		const me = /^Min-Expires\s*:\s*(\d+)/i.exec(l);
		if (me)
			minExpires = Number(me[1]);
	}
	emit({ ev: "response", status: Number(st[1]), minExpires, contacts,
	    raw: text });
}

let socket = null;
class NodeWebSocket extends WsSocket {
	constructor(url, protocols) {
		super(url, protocols, { handshakeTimeout: 5000 });
		socket = this;
		this.on("message", (data) => {
			try {
				onWire(Buffer.from(data).toString("utf8"));
			} catch (e) {
				// diagnostics only
			}
		});
	}
}
globalThis.WebSocket = NodeWebSocket;

// ------------------------------------------------------------ the agent
let ended = false;
async function end(error) {
	if (ended)
		return;
	ended = true;
	emit({ ev: "end", error: error ?? null });
	// close 1000 without unregistering: UserAgent.stop() would unregister
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
	await Promise.race([close, new Promise((r) => setTimeout(r, 1000))]);
	process.exit(error ? 1 : 0);
}

function finalStatusDelegate(unregister) {
	const note = (r) => {
		const st = r.message.statusCode;
		if (unregister)
			emit({ ev: "unregistered", status: st, contacts:
			    r.message.getHeaders("contact").flatMap(splitContacts)
			    .map(parseContact) });
		else if (st >= 300 && st !== 423)
			emit({ ev: "failed", status: st });
	};
	return { onAccept: note, onReject: note };
}

async function main() {
	setTimeout(() => end(`timeout after ${args.timeout} s`),
	    args.timeout * 1000).unref();
	const uri = UserAgent.makeURI(args.aor);
	if (!uri)
		usage("--aor must be a SIP URI");
	const ua = new UserAgent({
		uri,
		transportOptions: { server: args.ws, connectionTimeout: 5,
		    traceSip: args.verbose, keepAliveInterval: 0 },
		authorizationUsername: args.user ?? undefined,
		authorizationPassword: args.pass ?? undefined,
		instanceId: uuid,
		logBuiltinEnabled: false,
		logLevel: args.verbose ? "debug" : "error",
		logConnector: (level, category, label, content) => {
			if (args.verbose)
				process.stderr.write(`[${level}] ${category}: ${content}\n`);
		},
		reconnectionAttempts: 0,
	});
	await ua.start();
	const registerer = new Registerer(ua, { expires: args.expires,
	    regId: uuid ? 1 : undefined, logConfiguration: false });
	emit({ ev: "start", contact: ua.contact.uri.toString(),
	    callId: registerer.request.callId });
	registerer.stateChange.addListener((s) => {
		if (s === RegistererState.Registered)
			emit({ ev: "registered", asked: registerer.expires });
	});
	process.on("SIGUSR1", () => {
		registerer.unregister({ requestDelegate: finalStatusDelegate(true) })
		    .catch((e) => emit({ ev: "unregistered", status: null,
		    error: e.message }));
	});
	for (const sig of ["SIGTERM", "SIGINT"])
		process.on(sig, () => end());
	await registerer.register({ requestDelegate: finalStatusDelegate(false) });
}

main().catch((e) => end(String(e && e.stack ? e.stack : e)));
