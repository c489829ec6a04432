#!/usr/bin/env node
// sip-client.mjs: a command-line SIP user agent on SIP.js (UserAgent +
// Inviter, no registration) that places one call through the SBC over
// SIP-over-WebSocket (RFC 7118), the way a browser does, and reports what
// happened as one JSON line:
//   {final, provisionals, answered, endedBy, answerSdp, reinvite, reinvites,
//    info, remoteReinvites, byeStatus, callId, fromTag, error}
// Exit status 0 only if every expectation given on the command line was met.
//
// Node has no WebRTC: a fixed session description handler (fixed-sdh.mjs)
// stands in for RTCPeerConnection.  It offers a realistic browser SDP
// (DTLS-SRTP, ICE, BUNDLE, rtcp-mux, opus/PCMU/PCMA/telephone-event) with
// the client's own address as host candidate, accepts any answer, answers
// re-offers and supports hold/unhold re-offers.
//
// Usage: node sip-client.mjs --ws ws://10.201.1.1:8080 [options]
//   --from URI            our AOR (default sip:alice@sbc.test)
//   --to URI              who to call (default sip:1000@sbc.test)
//   --auth-user U --auth-pass P   digest credentials (401/407 answered by SIP.js)
//   --register            first REGISTER --from with those credentials on the
//                         same WebSocket (a 200 required), then call
//   --hangup-after S      send BYE S seconds after the answer
//   --expect-bye          wait for the far end to hang up
//   --cancel-after S      CANCEL S seconds after sending the INVITE
//   --expect-status N     final response expected (default 200; 487 with --cancel-after)
//   --reinvite            after the answer, re-INVITE to hold then to unhold, expect 200s
//   --info                after the answer, send INFO application/dtmf-relay, expect 200
//   --capture FILE        append every WebSocket message received, byte for byte
//   --origin URL          Origin header of the WebSocket handshake (default none)
//   --timeout S           overall limit (default 20)
//   --verbose             SIP.js logs and SIP traces on stderr
import { appendFileSync } from "node:fs";
import { WebSocket as WsSocket } from "ws";
import { parseOptions } from "./args.mjs";
import { FixedSdh } from "./fixed-sdh.mjs";
import { Inviter, Registerer, SessionState, UserAgent } from "sip.js";

// ------------------------------------------------------------ arguments
function usage(msg) {
	process.stderr.write(`sip-client: ${msg}\n` +
	    "usage: sip-client.mjs --ws URL [--from URI] [--to URI] " +
	    "[--auth-user U --auth-pass P [--register]] [--hangup-after S] [--expect-bye] " +
	    "[--cancel-after S] [--expect-status N] [--reinvite] [--info] " +
	    "[--capture FILE] [--origin URL] [--timeout S] [--verbose]\n");
	process.exit(2);
}

function parseArgs(argv) {
	let a = {
		ws: null, from: "sip:alice@sbc.test", to: "sip:1000@sbc.test",
		authUser: null, authPass: null, hangupAfter: null,
		expectBye: false, cancelAfter: null, expectStatus: null,
		reinvite: false, info: false, capture: null, origin: null,
		timeout: 20, verbose: false, register: false,
	};
	const withValue = {
		"--ws": "ws", "--from": "from", "--to": "to",
		"--auth-user": "authUser", "--auth-pass": "authPass",
		"--hangup-after": "hangupAfter", "--cancel-after": "cancelAfter",
		"--expect-status": "expectStatus", "--capture": "capture",
		"--origin": "origin", "--timeout": "timeout",
	};
	const flags = {
		"--expect-bye": "expectBye", "--reinvite": "reinvite",
		"--info": "info", "--verbose": "verbose", "--register": "register",
	};
	const numeric = ["hangupAfter", "cancelAfter", "expectStatus", "timeout"];
	a = parseOptions(argv, a, withValue, flags, numeric, usage);
	if (!a.ws || !/^wss?:\/\//.test(a.ws))
		usage("--ws ws://HOST:PORT or wss://HOST:PORT is required");
	if ((a.authUser === null) !== (a.authPass === null))
		usage("--auth-user and --auth-pass go together");
	if (a.expectStatus === null)
		a.expectStatus = a.cancelAfter !== null ? 487 : 200;
	return a;
}

const args = parseArgs(process.argv.slice(2));

// ------------------------------------------------------------ result
const result = {
	final: null,		// final response code to the initial INVITE
	provisionals: [],	// 1xx codes received for it, in order
	answered: false,
	endedBy: null,		// "local" (we sent BYE), "remote" (we got BYE)
	answerSdp: null,	// SDP of the 2xx to the initial INVITE
	reinvite: null,		// 200 when both our re-INVITEs got 200, else the odd code
	reinvites: [],		// final codes to our re-INVITEs (hold, unhold)
	info: null,		// final code to our INFO
	remoteReinvites: 0,	// re-INVITEs received from the far end
	byeStatus: null,	// final code to our BYE
	callId: null,		// our Call-ID and From tag (for leak checks)
	fromTag: null,
	error: null,
};
let finished = false;

function fail(msg) {
	if (result.error === null)
		result.error = msg;
}

// ------------------------------------------------------------ WebSocket
// SIP.js calls `new WebSocket(server, "sip")` and uses the browser event
// API; ws offers that API.  The wrapper adds the TLS and Origin options a
// browser would not take, records our local address for the SDP, and
// captures every message received.
let localAddress = "127.0.0.1";
let lastWsError = null;

class NodeWebSocket extends WsSocket {
	constructor(url, protocols) {
		const opts = { rejectUnauthorized: false, handshakeTimeout: 5000 };
		if (args.origin !== null)
			opts.origin = args.origin;
		super(url, protocols, opts);
		// Registered before SIP.js's own listeners, so these run first.
		this.on("open", () => {
			if (this._socket && this._socket.localAddress)
				localAddress = this._socket.localAddress.replace(/^::ffff:/, "");
		});
		this.on("error", (e) => { lastWsError = e.message; });
		if (args.capture !== null) {
			this.on("message", (data) => {
				const chunks = Array.isArray(data) ? data : [data];
				for (const c of chunks)
					appendFileSync(args.capture, Buffer.from(c));
			});
		}
	}
}
globalThis.WebSocket = NodeWebSocket;

// ------------------------------------------------------------ the call
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
let ua = null;
let inviter = null;

function finish() {
	if (finished)
		return;
	finished = true;
	const ok = expectationsMet();
	process.stdout.write(JSON.stringify(result) + "\n");
	const stop = ua ? ua.stop().catch(() => {}) : Promise.resolve();
	// Give the transport a moment to close cleanly, never more.
	Promise.race([stop, sleep(1)]).then(() => process.exit(ok ? 0 : 1));
}

function expectationsMet() {
	if (result.error !== null)
		return false;
	if (result.final !== args.expectStatus)
		return false;
	if (args.expectStatus >= 200 && args.expectStatus < 300) {
		if (!result.answered)
			return false;
		if (args.reinvite && result.reinvite !== 200)
			return false;
		if (args.info && result.info !== 200)
			return false;
		if (args.expectBye && result.endedBy !== "remote")
			return false;
		if (args.hangupAfter !== null &&
		    (result.endedBy !== "local" || result.byeStatus === null ||
		    result.byeStatus < 200 || result.byeStatus >= 300))
			return false;
	}
	return true;
}

// Send one in-dialog request; resolve with its final status code.
function inDialog(send) {
	return new Promise((resolve) => {
		const delegate = {
			onAccept: (r) => resolve(r.message.statusCode),
			onReject: (r) => resolve(r.message.statusCode),
			onRedirect: (r) => resolve(r.message.statusCode),
		};
		send(delegate).catch((e) => {
			fail(`in-dialog request failed: ${e.message}`);
			resolve(null);
		});
	});
}

let terminated;
const terminatedP = new Promise((r) => { terminated = r; });

async function afterAnswer() {
	if (args.reinvite) {
		// Hold, then take off hold: two offers in the dialog.
		for (const hold of [true, false]) {
			if (inviter.state !== SessionState.Established)
				break;
			const code = await inDialog((requestDelegate) => inviter.invite({
				requestDelegate,
				sessionDescriptionHandlerOptions: { hold },
			}));
			result.reinvites.push(code);
		}
		result.reinvite = result.reinvites.find((c) => c !== 200) ??
		    (result.reinvites.length === 2 ? 200 : null);
	}
	if (args.info && inviter.state === SessionState.Established) {
		result.info = await inDialog((requestDelegate) => inviter.info({
			requestDelegate,
			requestOptions: {
				body: {
					contentDisposition: "render",
					contentType: "application/dtmf-relay",
					content: "Signal=5\r\nDuration=160",
				},
			},
		}));
	}
	if (args.expectBye) {
		await terminatedP;
		return finish();
	}
	if (args.hangupAfter !== null)
		await Promise.race([sleep(args.hangupAfter), terminatedP]);
	if (inviter.state !== SessionState.Established) {
		await terminatedP;
		return finish();
	}
	result.endedBy = "local";
	result.byeStatus = await inDialog((requestDelegate) => inviter.bye({ requestDelegate }));
	finish();
}

// --register: REGISTER on this WebSocket first; true on a 200.
async function register() {
	if (!args.authUser || args.authPass === null) {
		fail("--register needs --auth-user and --auth-pass");
		return false;
	}
	const r = new Registerer(ua, { expires: 300 });
	result.registerStatus = await new Promise((resolve) => {
		r.register({ requestDelegate: {
			onAccept: (m) => resolve(m.message.statusCode),
			onReject: (m) => resolve(m.message.statusCode),
		} }).catch(() => resolve(null));
	});
	if (result.registerStatus !== 200)
		fail(`REGISTER: ${result.registerStatus}`);
	return result.registerStatus === 200;
}

async function main() {
	setTimeout(() => {
		fail(`timeout after ${args.timeout} s`);
		finish();
	}, args.timeout * 1000).unref();

	const logConnector = (level, category, label, content) => {
		if (args.verbose || level === "error")
			process.stderr.write(`[${level}] ${category}: ${content}\n`);
	};
	const uri = UserAgent.makeURI(args.from);
	const target = UserAgent.makeURI(args.to);
	if (!uri || !target)
		usage("--from and --to must be SIP URIs");
	ua = new UserAgent({
		uri,
		transportOptions: {
			server: args.ws,
			connectionTimeout: 5,
			traceSip: args.verbose,
			keepAliveInterval: 0,
		},
		authorizationUsername: args.authUser ?? undefined,
		authorizationPassword: args.authPass ?? undefined,
		sessionDescriptionHandlerFactory: () => new FixedSdh({
			localAddress: () => localAddress,
			onAnswer: (sdp) => {
				if (result.answerSdp === null)
					result.answerSdp = sdp;
			},
		}),
		logBuiltinEnabled: false,
		logConnector,
		logLevel: args.verbose ? "debug" : "warn",
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

	try {
		await ua.start();
	} catch (e) {
		fail(`WebSocket connect to ${args.ws} failed: ${lastWsError ?? e.message}`);
		return finish();
	}

	if (args.register && !(await register()))
		return finish();
	inviter = new Inviter(ua, target);
	result.callId = inviter.request.callId;
	result.fromTag = inviter.request.fromTag;
	inviter.delegate = {
		onBye: (bye) => {
			result.endedBy = "remote";
			bye.accept();
		},
		onInfo: (info) => info.accept(),
		onInvite: () => { result.remoteReinvites++; },
	};
	inviter.stateChange.addListener((state) => {
		if (state === SessionState.Established && !result.answered) {
			result.answered = true;
			afterAnswer().catch((e) => { fail(e.message); finish(); });
		} else if (state === SessionState.Terminated) {
			terminated();
			// Rejected, cancelled or failed: SIP.js changes the state
			// before it calls our onReject, so let that run first.
			if (!result.answered)
				setTimeout(finish, 20);
		}
	});

	if (args.cancelAfter !== null) {
		setTimeout(() => {
			if (inviter.state === SessionState.Establishing ||
			    inviter.state === SessionState.Initial)
				inviter.cancel().catch((e) => fail(`CANCEL failed: ${e.message}`));
		}, args.cancelAfter * 1000);
	}

	try {
		await inviter.invite({
			requestDelegate: {
				onTrying: (r) => result.provisionals.push(r.message.statusCode),
				onProgress: (r) => result.provisionals.push(r.message.statusCode),
				onAccept: (r) => { result.final = r.message.statusCode; },
				onReject: (r) => { result.final = r.message.statusCode; },
				onRedirect: (r) => { result.final = r.message.statusCode; },
			},
		});
	} catch (e) {
		fail(`INVITE failed: ${e.message}`);
		finish();
	}
}

main().catch((e) => {
	fail(String(e && e.stack ? e.stack : e));
	finish();
});
