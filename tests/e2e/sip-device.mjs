#!/usr/bin/env node
// sip-device.mjs: one registered "device" of a user on SIP.js in Node
// (UserAgent + Registerer + delegate onInvite), the way a browser tab with
// SIP outbound (RFC 5626) is: it connects over WebSocket, registers --user
// at --domain with +sip.instance=--instance and reg-id=1, then waits for
// one incoming INVITE and handles it as told:
//   --answer-after S   180, then 200 after S seconds (the fixed session
//                      description handler of fixed-sdh.mjs answers the
//                      WebRTC offer); then wait for the far end's BYE, or
//                      send BYE after --hangup-after S
//   --reject STATUS    180, then STATUS (after --reject-after S, default 0)
//   --ring             180, and wait: the INVITE should be cancelled
// Once registered it prints "sip-device: registered" on stderr and writes
// --ready-file (our Contact URI).  At the end, one JSON line:
//   {name, registered, contact, invited, inviteAt, callId, offer, answered,
//    acked, cancelled, rejected, byeReceived, hungUp, byeStatus,
//    extraInvites, error}
// inviteAt: Date.now() at the INVITE; offer: the SDP it carried; cancelled:
// the INVITE ended by a CANCEL; extraInvites: other INVITEs (each got 486).
// Exit status 0 only if --expect was met:
//   answered   answered, and ended by BYE (received, or sent with
//              --hangup-after and answered 2xx), not cancelled
//   cancelled  invited and cancelled, never answered
//   rejected   invited and refused with --reject
//   none       never invited (waits the whole --timeout)
// After the INVITE's end the device keeps its WebSocket open --linger S
// more seconds (default 1), then closes it (1000) without unregistering.
//
// Usage: node sip-device.mjs --ws URL --user U --pass P [options]
//   --domain D            AOR sip:U@D (default sbc.test)
//   --instance URN        urn:uuid:... (default: a random one)
//   --name NAME           a label in the JSON (default the user)
//   --ready-file FILE     written once registered
//   --expect WHAT         answered | cancelled | rejected | none (default:
//                         from the action: answered, rejected, cancelled)
//   --trace FILE          append every WebSocket message, sent and received
//   --timeout S           overall limit (default 30)
//   --verbose             SIP.js logs and SIP traces on stderr
import { appendFileSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { WebSocket as WsSocket } from "ws";
import { parseOptions } from "./args.mjs";
import { FixedSdh } from "./fixed-sdh.mjs";
import { Registerer, SessionState, UserAgent } from "sip.js";

// ------------------------------------------------------------ arguments
function usage(msg) {
	process.stderr.write(`sip-device: ${msg}\n` +
	    "usage: sip-device.mjs --ws URL --user U --pass P [--domain D] " +
	    "[--instance urn:uuid:...] [--name NAME] [--ready-file FILE] " +
	    "[--answer-after S [--hangup-after S] | --reject STATUS " +
	    "[--reject-after S] | --ring] [--expect answered|cancelled|" +
	    "rejected|none] [--linger S] [--trace FILE] [--timeout S] " +
	    "[--verbose]\n");
	process.exit(2);
}

function parseArgs(argv) {
	let a = {
		ws: null, user: null, pass: null, domain: "sbc.test",
		instance: null, name: null, readyFile: null, answerAfter: null,
		hangupAfter: null, reject: null, rejectAfter: 0, ring: false,
		expect: null, linger: 1, trace: null, timeout: 30,
		verbose: false,
	};
	const withValue = {
		"--ws": "ws", "--user": "user", "--pass": "pass",
		"--domain": "domain", "--instance": "instance", "--name": "name",
		"--ready-file": "readyFile", "--answer-after": "answerAfter",
		"--hangup-after": "hangupAfter", "--reject": "reject",
		"--reject-after": "rejectAfter", "--expect": "expect",
		"--linger": "linger", "--trace": "trace", "--timeout": "timeout",
	};
	const flags = { "--ring": "ring", "--verbose": "verbose" };
	const numeric = ["answerAfter", "hangupAfter", "reject", "rejectAfter",
	    "linger", "timeout"];
	a = parseOptions(argv, a, withValue, flags, numeric, usage);
	if (!a.ws || !/^wss?:\/\//.test(a.ws))
		usage("--ws ws://HOST:PORT or wss://HOST:PORT is required");
	if (a.user === null || a.pass === null)
		usage("--user and --pass are required");
	const actions = [a.answerAfter !== null, a.reject !== null, a.ring]
	    .filter(Boolean).length;
	if (actions > 1)
		usage("one of --answer-after, --reject, --ring");
	if (a.reject !== null && (a.reject < 300 || a.reject > 699))
		usage("--reject needs a status 300..699");
	if (a.hangupAfter !== null && a.answerAfter === null)
		usage("--hangup-after goes with --answer-after");
	if (a.expect === null)
		a.expect = a.answerAfter !== null ? "answered" :
		    a.reject !== null ? "rejected" : a.ring ? "cancelled" : "none";
	if (!["answered", "cancelled", "rejected", "none"].includes(a.expect))
		usage("--expect answered|cancelled|rejected|none");
	if (a.instance === null)
		a.instance = `urn:uuid:${randomUUID()}`;
	const m = /^urn:uuid:([0-9a-f-]{36})$/i.exec(a.instance);
	if (!m)
		usage("--instance must be urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
	a.uuid = m[1];
	if (a.name === null)
		a.name = a.user;
	return a;
}

const args = parseArgs(process.argv.slice(2));

// ------------------------------------------------------------ result
const result = {
	name: args.name,
	registered: false,
	contact: null,		// our Contact URI
	invited: false,
	inviteAt: null,		// Date.now() when the INVITE arrived
	callId: null,		// the INVITE's Call-ID
	offer: null,		// the SDP it carried
	answered: false,	// we sent 200 (the session is Established)
	acked: false,		// the ACK of our 200 came
	cancelled: false,	// the INVITE ended by a CANCEL
	rejected: false,	// we refused it (--reject)
	byeReceived: false,
	hungUp: false,		// we sent BYE (--hangup-after)
	byeStatus: null,	// final response to our BYE
	extraInvites: 0,	// further INVITEs (answered 486)
	error: null,
};
let finished = false;

function fail(msg) {
	if (result.error === null)
		result.error = msg;
}

// ------------------------------------------------------------ WebSocket
// SIP.js calls `new WebSocket(server, "sip")` with the browser event API,
// which ws offers.  The wrapper notes our local address (for the SDP) and
// traces the messages.
let localAddress = "127.0.0.1";
let lastWsError = null;
let socket = null;

function trace(dir, data) {
	if (args.trace === null)
		return;
	appendFileSync(args.trace, `---- ${new Date().toISOString()} ` +
	    `${args.name} ${dir}\n${Buffer.from(data).toString("utf8")}\n`);
}

class NodeWebSocket extends WsSocket {
	constructor(url, protocols) {
		super(url, protocols, { rejectUnauthorized: false, handshakeTimeout: 5000 });
		socket = this;
		this.on("open", () => {
			if (this._socket && this._socket.localAddress)
				localAddress = this._socket.localAddress.replace(/^::ffff:/, "");
		});
		this.on("error", (e) => { lastWsError = e.message; });
		this.on("message", (data) => {
			for (const c of Array.isArray(data) ? data : [data])
				trace("received", c);
		});
	}

	send(data, ...rest) {
		trace("sent", data);
		return super.send(data, ...rest);
	}
}
globalThis.WebSocket = NodeWebSocket;

// ------------------------------------------------------------ the end
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));

function expectationsMet() {
	if (result.error !== null || !result.registered)
		return false;
	switch (args.expect) {
	case "answered":
		return result.answered && !result.cancelled &&
		    (result.byeReceived || (result.hungUp &&
		    result.byeStatus >= 200 && result.byeStatus < 300));
	case "cancelled":
		return result.invited && result.cancelled && !result.answered;
	case "rejected":
		return result.invited && result.rejected && !result.answered &&
		    !result.cancelled;
	case "none":
		return !result.invited;
	}
	return false;
}

async function finish() {
	if (finished)
		return;
	finished = true;
	const ok = expectationsMet();
	process.stdout.write(JSON.stringify(result) + "\n");
	// Close the WebSocket (1000) without unregistering: the registrar
	// drops the flow's bindings.
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

// The INVITE is over: keep the WebSocket open --linger seconds (late
// messages, e.g. a CANCEL after our 200, still reach us), then finish.
let lingering = false;
function over() {
	if (lingering)
		return;
	lingering = true;
	setTimeout(finish, args.linger * 1000);
}

// ------------------------------------------------------------ the call
let invitation = null;

async function hangup() {
	if (invitation.state !== SessionState.Established)
		return;
	result.hungUp = true;
	await new Promise((resolve) => {
		const done = (r) => {
			result.byeStatus = r.message.statusCode;
			resolve();
		};
		invitation.bye({ requestDelegate: { onAccept: done, onReject: done } })
		    .catch((e) => { fail(`BYE failed: ${e.message}`); resolve(); });
	});
	over();
}

async function onInvite(inv) {
	if (invitation !== null) {
		result.extraInvites++;
		inv.reject({ statusCode: 486 }).catch(() => {});
		return;
	}
	invitation = inv;
	result.invited = true;
	result.inviteAt = Date.now();
	result.callId = inv.request.callId;
	result.offer = inv.request.body ?? null;
	inv.delegate = {
		onCancel: () => { result.cancelled = true; },
		onAck: () => { result.acked = true; },
		onBye: (bye) => {
			result.byeReceived = true;
			bye.accept().catch(() => {});
		},
	};
	inv.stateChange.addListener((state) => {
		if (state === SessionState.Established) {
			result.answered = true;
			if (args.hangupAfter !== null)
				setTimeout(() => hangup().catch((e) => {
					fail(e.message);
					over();
				}), args.hangupAfter * 1000);
		} else if (state === SessionState.Terminated) {
			if (inv.isCanceled)
				result.cancelled = true;
			over();
		}
	});
	// 180 Ringing: SIP.js sends it itself before onInvite unless
	// 100rel is required.
	if (!inv.autoSendAnInitialProvisionalResponse) {
		try {
			await inv.progress();
		} catch (e) {
			fail(`180 failed: ${e.message}`);
		}
	}
	if (args.answerAfter !== null) {
		await sleep(args.answerAfter);
		if (inv.state !== SessionState.Initial &&
		    inv.state !== SessionState.Establishing)
			return;		// cancelled meanwhile
		try {
			await inv.accept();
		} catch (e) {
			fail(`accept failed: ${e.message}`);
			over();
		}
	} else if (args.reject !== null) {
		await sleep(args.rejectAfter);
		if (inv.state !== SessionState.Initial &&
		    inv.state !== SessionState.Establishing)
			return;
		try {
			await inv.reject({ statusCode: args.reject });
			result.rejected = true;
		} catch (e) {
			fail(`reject failed: ${e.message}`);
		}
		over();
	} else if (!args.ring) {
		fail("an INVITE came, none was expected");
		inv.reject({ statusCode: 480 }).catch(() => {});
	}
}

async function main() {
	setTimeout(() => {
		if (args.expect !== "none")
			fail(`timeout after ${args.timeout} s`);
		finish();
	}, args.timeout * 1000).unref();
	for (const sig of ["SIGTERM", "SIGINT"])
		process.on(sig, () => { fail(`${sig}`); finish(); });

	const logConnector = (level, category, label, content) => {
		if (args.verbose || level === "error")
			process.stderr.write(`[${level}] ${category}: ${content}\n`);
	};
	const uri = UserAgent.makeURI(`sip:${args.user}@${args.domain}`);
	if (!uri)
		usage("--user and --domain must make a SIP URI");
	const ua = new UserAgent({
		uri,
		transportOptions: {
			server: args.ws,
			connectionTimeout: 5,
			traceSip: args.verbose,
			keepAliveInterval: 0,
		},
		authorizationUsername: args.user,
		authorizationPassword: args.pass,
		instanceId: args.uuid,
		sessionDescriptionHandlerFactory: () => new FixedSdh({
			localAddress: () => localAddress,
		}),
		logBuiltinEnabled: false,
		logConnector,
		logLevel: args.verbose ? "debug" : "warn",
		reconnectionAttempts: 0,
		delegate: {
			onInvite: (inv) => {
				onInvite(inv).catch((e) => {
					fail(String(e && e.stack ? e.stack : e));
					over();
				});
			},
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

	const registerer = new Registerer(ua, {
		expires: 600,
		regId: 1,
		logConfiguration: false,
	});
	const status = await new Promise((resolve) => {
		const done = (r) => resolve(r.message.statusCode);
		registerer.register({
			requestDelegate: { onAccept: done, onReject: done },
		}).catch((e) => {
			fail(`register failed: ${e.message}`);
			resolve(null);
		});
	});
	if (status !== 200) {
		fail(`REGISTER: ${status ?? "no answer"}`);
		return finish();
	}
	result.registered = true;
	process.stderr.write("sip-device: registered\n");
	if (args.readyFile !== null)
		writeFileSync(args.readyFile, result.contact + "\n");
}

main().catch((e) => {
	fail(String(e && e.stack ? e.stack : e));
	finish();
});
