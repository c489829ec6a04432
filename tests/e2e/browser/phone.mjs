// phone.mjs: the test-only softphone of the browser media tests.  Real
// Chromium WebRTC (getUserMedia on the fake device, RTCPeerConnection with
// ICE + DTLS-SRTP) driven by SIP.js (UserAgent + Inviter; with register=1
// also a Registerer, with autoanswer=1 incoming Invitations) over
// SIP-over-WebSocket to the SBC.  tests/e2e/browser-call.mjs loads it
// and calls, through Playwright:
//
//   window.startCall()  -> Promise {ok, status, state, error}: INVITE sent,
//                          settles on the answer or the failure
//   window.hangup()     -> Promise {ok, status}: BYE, settles on its response
//   window.stats()      -> Promise of a JSON-able summary of getStats():
//                          {dtlsState, iceState, selectedPair {state, local,
//                          remote}, inbound {packetsReceived, codec},
//                          outbound {packetsSent}, localCandidates, ...}
//   window.state        the call state: loading, ready, connecting,
//                       Initial, Establishing, Established, Terminating,
//                       Terminated, or failed
//   window.ended        how the call ended: {by: "remote" (BYE received) |
//                       "local" | "other", at (ms, performance.now()),
//                       establishedAt, reason (the BYE's Reason header)},
//                       null while it lasts; also in stats().ended, with
//                       stats().lastStats: the last getStats() summary taken
//                       while the call was established (every 500 ms and on
//                       a BYE received), for after the peer connection closed;
//                       stats().mediaSeen {snapshots, dtlsConnected (ever),
//                       dtlsStates, packetsReceived (max)} over them
//   window.trace        the last SIP messages and log lines (diagnostics)
//   window.hold(), window.unhold(), window.iceRestart()
//                       -> Promise {ok, status, error, remoteSdp, localSdp}:
//                          a re-INVITE (a=sendonly; sendrecv; new ICE
//                          credentials), settles on its final response
//   window.dtmf(TONES)  -> {ok, error}: RFC 4733 events (RTCDTMFSender)
//   window.register()   -> Promise {ok, status, error} (register=1 only):
//                          REGISTER with digest credentials, settles on
//                          its final response
//   window.registered   true while the Registerer is Registered
//   window.incoming     autoanswer=1: the incoming call, null until one
//                       came: {from, ruri, offer (its SDP), at, answered,
//                       answeredAt, error}; its session is then the one
//                       stats(), hangup() and window.ended are about
//
// URL parameters: ws (required), to (default sip:1000@sbc.test),
// from (default sip:browser@web.test: no configured domain, an anonymous
// caller), bundle (balanced | max-bundle,
// default balanced), gather (ICE gathering timeout, ms, default 3000),
// source (mic: getUserMedia, the fake device under test flags; tone: a
// WebAudio oscillator, no microphone permission -- Chromium exposes real
// host addresses to any page holding that permission, so only "tone" lets
// it offer mDNS .local candidates), badfp (1: the offer sent in the
// INVITE carries an a=fingerprint:sha-256 that is not the one of
// Chromium's DTLS certificate, so a correct DTLS peer must refuse it),
// register (1: a Registerer with user, pass (digest credentials) and
// domain (default sbc.test) registers sip:USER@DOMAIN on window.register();
// from then defaults to that AOR), autoanswer (1: an incoming INVITE is
// accepted at once with audio -- SIP.js delegate.onInvite -- with the same
// peer connection, snapshot and BYE plumbing as an outgoing call; another
// INVITE while a call exists gets 486).
// No STUN/TURN servers: the browser offers host candidates only (or mDNS
// names when Chromium hides local addresses).
import { Inviter, Registerer, RegistererState, SessionState, UserAgent, Web }
    from "/sip.js/index.js";

const params = new URLSearchParams(location.search);
const wsUrl = params.get("ws");
const toUri = params.get("to") || "sip:1000@sbc.test";
const registerOn = params.get("register") === "1";
const regUser = params.get("user");
const regPass = params.get("pass");
const regDomain = params.get("domain") || "sbc.test";
const autoAnswer = params.get("autoanswer") === "1";
const fromUri = params.get("from") ||
    (registerOn && regUser ? `sip:${regUser}@${regDomain}` : "sip:browser@web.test");
const bundlePolicy = params.get("bundle") === "max-bundle" ? "max-bundle" : "balanced";
const gatherMs = Number(params.get("gather") || "3000");
const source = params.get("source") === "tone" ? "tone" : "mic";
const badFingerprint = params.get("badfp") === "1";

const TRACE_MAX = 200;
window.trace = [];
function note(line) {
	const l = line.length > 2500 ? line.slice(0, 2500) + "..." : line;
	window.trace.push(`${(performance.now() / 1000).toFixed(3)} ${l}`);
	if (window.trace.length > TRACE_MAX)
		window.trace.splice(0, window.trace.length - TRACE_MAX);
}

function setState(s) {
	window.state = s;
	document.getElementById("state").textContent = s;
	note(`state ${s}`);
}

let ua = null;
let inviter = null;
let invitation = null;		// autoanswer: the incoming call
let registerer = null;
let finalStatus = null;
let lastPc = null;		// the call's peer connection, kept after SIP.js drops it
let establishedAt = null;
let localBye = false;
let snapshotTimer = null;
window.ended = null;
window.lastStats = null;
// over all snapshots: was DTLS ever connected, the most audio received
window.mediaSeen = { snapshots: 0, dtlsConnected: false, dtlsStates: [], packetsReceived: 0 };
window.fingerprint = null;	// badfp: {real, sent}
window.registered = false;
window.incoming = null;

// badfp: the sha-256 fingerprint(s) of an SDP replaced by a well-formed
// but wrong value (32 bytes AB, or CD if the real one is all AB).
function mungeFingerprint(sdp) {
	return sdp.replace(/^(a=fingerprint:sha-256 )([0-9A-Fa-f:]+)/gm, (m, head, hex) => {
		const bad = Array(32).fill(/^(AB:)*AB$/i.test(hex) ? "CD" : "AB").join(":");
		window.fingerprint = { real: hex, sent: bad };
		return head + bad;
	});
}

// A 440 Hz tone as the local stream, without getUserMedia.
function toneStreamFactory() {
	const ac = new AudioContext();
	const osc = ac.createOscillator();
	const dest = ac.createMediaStreamDestination();
	osc.frequency.value = 440;
	osc.connect(dest);
	osc.start();
	ac.resume().catch(() => {});
	return Promise.resolve(dest.stream);
}

// The call's session: the outgoing one, else the incoming one.
function session() {
	return inviter || invitation;
}

function peerConnection() {
	const s = session();
	const sdh = s && s.sessionDescriptionHandler;
	return sdh ? sdh.peerConnection : undefined;
}

// Resolve within ms, else with the given value.
function bounded(promise, ms, value) {
	return Promise.race([promise,
	    new Promise((r) => setTimeout(() => r(value), ms))]);
}

// The session description handler factory: SIP.js's own (microphone or
// tone).  badfp wraps each handler so the SDP it hands SIP.js for the
// INVITE has the wrong fingerprint.  A SIP.js sessionDescriptionHandler
// modifier cannot do it: the Web handler applies modifiers before
// setLocalDescription(), and Chromium refuses a munged fingerprint there
// ("The SDP does not match the previously generated SDP for this type").
// So the munging is after it, on what the peer connection reports as its
// local description: Chromium keeps its real certificate and fingerprint,
// the SBC sees the fake one.
function sdhFactory() {
	const base = Web.defaultSessionDescriptionHandlerFactory(
	    source === "tone" ? toneStreamFactory : undefined);
	if (!badFingerprint)
		return source === "tone" ? base : undefined;
	return (session, options) => {
		const sdh = base(session, options);
		const get = sdh.getLocalSessionDescription.bind(sdh);
		sdh.getLocalSessionDescription = () => get().then((d) => {
			const sdp = mungeFingerprint(d.sdp);
			note(`badfp: sent fingerprint ${window.fingerprint ? window.fingerprint.sent : "(none found)"}`);
			return { type: d.type, sdp };
		});
		return sdh;
	};
}

// A getStats() summary while the call is established, kept for after it.
function snapshot() {
	if (!lastPc || lastPc.connectionState === "closed")
		return;
	stats(lastPc).then((s) => {
		delete s.lastStats;	/* no nesting */
		delete s.ended;
		if (s.dtlsState !== null || !window.lastStats)
			window.lastStats = s;
		const m = window.mediaSeen;
		m.snapshots++;
		m.dtlsConnected = m.dtlsConnected || s.dtlsState === "connected";
		m.dtlsStates = [...new Set([...m.dtlsStates, s.dtlsState])];
		m.packetsReceived = Math.max(m.packetsReceived,
		    s.inbound ? s.inbound.packetsReceived || 0 : 0);
	}).catch(() => {});
}

// The user agent: with register=1 it carries the digest credentials,
// with autoanswer=1 it takes incoming calls.
function makeUserAgent() {
	const options = {
		uri: UserAgent.makeURI(fromUri),
		transportOptions: { server: wsUrl, connectionTimeout: 5, traceSip: true,
		    keepAliveInterval: 0 },
		sessionDescriptionHandlerFactoryOptions: {
			iceGatheringTimeout: gatherMs,
			peerConnectionConfiguration: {
				bundlePolicy,
				iceServers: [],
				rtcpMuxPolicy: "require",
			},
		},
		sessionDescriptionHandlerFactory: sdhFactory(),
		logBuiltinEnabled: false,
		logLevel: "log",
		logConnector: (level, category, label, content) => {
			if (level === "error" || level === "warn" ||
			    category === "sip.Transport")
				note(`[${level}] ${category}: ${content}`);
		},
		delegate: {
			onDisconnect: (e) => note(`WebSocket closed${e ? ": " + e.message : ""}`),
		},
	};
	if (registerOn) {
		options.authorizationUsername = regUser;
		options.authorizationPassword = regPass;
	}
	if (autoAnswer)
		options.delegate.onInvite = onInvite;
	return new UserAgent(options);
}

// Session plumbing shared by outgoing and incoming calls: the remote audio,
// the BYE from the far end, the snapshots while established.  onState(s)
// is called after each state change.
function track(s, onState) {
	s.delegate = {
		onSessionDescriptionHandler: (sdh) => {
			lastPc = sdh.peerConnection || lastPc;
			const audio = document.getElementById("remote");
			audio.srcObject = sdh.remoteMediaStream;
			audio.play().catch(() => {});	/* autoplay may be refused: stats do not need it */
		},
		// A BYE from the far end (the SBC): record it, then answer 200 as
		// SIP.js does without this delegate.
		onBye: (bye) => {
			const r = bye.request;
			window.ended = { by: "remote", at: performance.now(), establishedAt,
			    reason: r.hasHeader("Reason") ? r.getHeader("Reason") : null };
			note(`BYE received${window.ended.reason ? " (Reason: " + window.ended.reason + ")" : ""}`);
			snapshot();		/* before SIP.js closes the peer connection */
			bye.accept().catch((e) => note(`200 to BYE failed: ${e.message}`));
		},
	};
	s.stateChange.addListener((st) => {
		setState(st);
		if (st === SessionState.Established) {
			establishedAt = performance.now();
			snapshotTimer = setInterval(snapshot, 500);
			snapshot();
		} else if (snapshotTimer !== null) {
			clearInterval(snapshotTimer);
			snapshotTimer = null;
		}
		if (st === SessionState.Terminated && window.ended === null)
			window.ended = { by: localBye ? "local" : "other", at: performance.now(),
			    establishedAt, reason: null };
		if (onState)
			onState(st);
	});
}

// autoanswer=1: accept an incoming call with audio at once.
function onInvite(inv) {
	const r = inv.request;
	if (session()) {
		note(`INVITE from ${r.from.uri} while in a call: 486`);
		inv.reject({ statusCode: 486 }).catch(() => {});
		return;
	}
	invitation = inv;
	window.incoming = { from: String(r.from.uri), ruri: String(r.ruri),
	    offer: r.body || null, at: performance.now(), answered: false,
	    answeredAt: null, error: null };
	note(`INVITE from ${window.incoming.from} to ${window.incoming.ruri}: answering`);
	track(inv, (st) => {
		if (st === SessionState.Established && !window.incoming.answered) {
			window.incoming.answered = true;
			window.incoming.answeredAt = performance.now();
		}
	});
	inv.accept({
		sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
	}).catch((e) => {
		window.incoming.error = `accept failed: ${e.message}`;
		note(window.incoming.error);
	});
}

// Create and connect the user agent once (calls and registration share it).
async function connect() {
	if (ua !== null)
		return null;
	ua = makeUserAgent();
	try {
		await ua.start();
	} catch (e) {
		ua = null;
		return `WebSocket connect to ${wsUrl} failed: ${e.message}`;
	}
	return null;
}

async function register() {
	if (!registerOn)
		return { ok: false, status: null, error: "no register=1 in the page URL" };
	if (!wsUrl)
		return { ok: false, status: null, error: "no ?ws= in the page URL" };
	if (!regUser || regPass === null)
		return { ok: false, status: null, error: "register=1 needs user= and pass=" };
	if (registerer !== null)
		return { ok: window.registered, status: null, error: "already registering" };
	const err = await connect();
	if (err !== null)
		return { ok: false, status: null, error: err };
	registerer = new Registerer(ua, { expires: 300 });
	registerer.stateChange.addListener((st) => {
		note(`registerer ${st}`);
		window.registered = st === RegistererState.Registered;
	});
	return bounded(new Promise((resolve) => {
		registerer.register({
			requestDelegate: {
				onAccept: (r) => resolve({ ok: true, status: r.message.statusCode, error: null }),
				onReject: (r) => resolve({ ok: false, status: r.message.statusCode,
				    error: `REGISTER: ${r.message.statusCode} ${r.message.reasonPhrase}` }),
			},
		}).catch((e) => resolve({ ok: false, status: null, error: `REGISTER failed: ${e.message}` }));
	}), 15000, { ok: false, status: null, error: "REGISTER: no final response within 15 s" });
}

async function startCall() {
	if (inviter !== null)
		return { ok: false, error: "a call was already started" };
	if (invitation !== null)
		return { ok: false, error: "an incoming call is in progress" };
	if (!wsUrl)
		return { ok: false, error: "no ?ws= in the page URL" };
	setState("connecting");
	const err = await connect();
	if (err !== null) {
		setState("failed");
		return { ok: false, error: err };
	}

	const target = UserAgent.makeURI(toUri);
	if (!target) {
		setState("failed");
		return { ok: false, error: `bad to URI ${toUri}` };
	}
	inviter = new Inviter(ua, target, {
		sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
	});
	let settle;
	const settled = new Promise((r) => { settle = r; });
	track(inviter, (s) => {
		if (s === SessionState.Established)
			settle({ ok: true, status: finalStatus, state: s });
		else if (s === SessionState.Terminated)
			settle({ ok: false, status: finalStatus, state: s, error: "call ended before it was answered" });
	});
	try {
		await inviter.invite({
			requestDelegate: {
				onAccept: (r) => { finalStatus = r.message.statusCode; },
				onReject: (r) => { finalStatus = r.message.statusCode; },
				onRedirect: (r) => { finalStatus = r.message.statusCode; },
			},
		});
	} catch (e) {
		setState("failed");
		return { ok: false, error: `INVITE failed: ${e.message}` };
	}
	return settled;
}

async function hangup() {
	const s = session();
	if (!s || s.state !== SessionState.Established)
		return { ok: false, status: null, state: window.state, error: "no established call" };
	localBye = true;
	const status = await bounded(new Promise((resolve) => {
		s.bye({
			requestDelegate: {
				onAccept: (r) => resolve(r.message.statusCode),
				onReject: (r) => resolve(r.message.statusCode),
			},
		}).catch((e) => { note(`BYE failed: ${e.message}`); resolve(null); });
	}), 10000, null);
	return { ok: status !== null && status >= 200 && status < 300, status, state: window.state };
}

// One entry of getStats() as a small plain object.
function cand(c) {
	return c ? { type: c.candidateType, address: c.address ?? c.ip, port: c.port,
	    protocol: c.protocol } : null;
}

// stats(pc): of another RTCPeerConnection (used to check this code alone).
async function stats(pc = peerConnection()) {
	const out = {
		state: window.state, finalStatus, bundlePolicy, source,
		badfp: badFingerprint, fingerprint: window.fingerprint,
		ended: window.ended, lastStats: window.lastStats, mediaSeen: window.mediaSeen,
		registered: window.registered, incoming: window.incoming,
		connectionState: pc ? pc.connectionState : null,
		iceConnectionState: pc ? pc.iceConnectionState : null,
		signalingState: pc ? pc.signalingState : null,
		dtlsState: null, iceState: null, transports: [],
		selectedPair: null, inbound: null, outbound: null,
		localCandidates: [], remoteCandidates: [],
	};
	if (!pc)
		return out;
	const report = await pc.getStats();
	const byId = new Map();
	report.forEach((s) => byId.set(s.id, s));
	for (const s of byId.values()) {
		if (s.type === "transport") {
			out.transports.push({ dtlsState: s.dtlsState, iceState: s.iceState,
			    selectedCandidatePairId: s.selectedCandidatePairId ?? null,
			    srtpCipher: s.srtpCipher ?? null, tlsVersion: s.tlsVersion ?? null });
		} else if (s.type === "inbound-rtp" && s.kind === "audio") {
			const codec = byId.get(s.codecId);
			out.inbound = { packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,
			    bytesReceived: s.bytesReceived, jitter: s.jitter, ssrc: s.ssrc,
			    codec: codec ? codec.mimeType : null };
		} else if (s.type === "outbound-rtp" && s.kind === "audio") {
			const codec = byId.get(s.codecId);
			out.outbound = { packetsSent: s.packetsSent, bytesSent: s.bytesSent,
			    ssrc: s.ssrc, codec: codec ? codec.mimeType : null };
		} else if (s.type === "local-candidate") {
			out.localCandidates.push(cand(s));
		} else if (s.type === "remote-candidate") {
			out.remoteCandidates.push(cand(s));
		}
	}
	// The transport that carries the audio: the one with a selected pair,
	// else the first.
	const t = out.transports.find((x) => x.selectedCandidatePairId) || out.transports[0];
	if (t) {
		out.dtlsState = t.dtlsState;
		out.iceState = t.iceState;
		const pair = t.selectedCandidatePairId ? byId.get(t.selectedCandidatePairId) : null;
		if (pair) {
			out.selectedPair = { state: pair.state, nominated: pair.nominated,
			    bytesSent: pair.bytesSent, bytesReceived: pair.bytesReceived,
			    local: cand(byId.get(pair.localCandidateId)),
			    remote: cand(byId.get(pair.remoteCandidateId)) };
		}
	}
	return out;
}

// A re-INVITE in the established call with these SDH options; settles on
// its final response with the remote SDP applied from it.
function reinvite(what, sdhOptions) {
	const s = session();
	if (!s || s.state !== SessionState.Established)
		return Promise.resolve({ ok: false, status: null, error: "no established call" });
	note(`${what}: re-INVITE`);
	return bounded(new Promise((resolve) => {
		const done = (ok, r, error) => setTimeout(() => {
			const pc = peerConnection();
			resolve({ ok, status: r ? r.message.statusCode : null, error,
			    remoteSdp: pc && pc.remoteDescription ? pc.remoteDescription.sdp : null,
			    localSdp: pc && pc.localDescription ? pc.localDescription.sdp : null });
		}, 300);	// the answer is applied after the delegate
		s.invite({
			sessionDescriptionHandlerOptions: sdhOptions,
			requestDelegate: {
				onAccept: (r) => done(true, r, null),
				onReject: (r) => done(false, r, `${what}: ${r.message.statusCode}`),
			},
		}).catch((e) => done(false, null, `${what} failed: ${e.message}`));
	}), 10000, { ok: false, status: null, error: `${what}: no answer within 10 s` });
}

// Mid-call actions: hold (a=sendonly), unhold, ICE restart, RFC 4733 DTMF.
const hold = () => reinvite("hold", { hold: true });
const unhold = () => reinvite("unhold", { hold: false });
const iceRestart = () => reinvite("ice-restart", { offerOptions: { iceRestart: true } });
function dtmf(tones) {
	const s = session();
	const sdh = s ? s.sessionDescriptionHandler : null;
	if (!sdh || s.state !== SessionState.Established)
		return { ok: false, error: "no established call" };
	const ok = sdh.sendDtmf(tones, { duration: 160, interToneGap: 80 });
	note(`dtmf ${tones}: ${ok ? "queued" : "refused"}`);
	return { ok, error: ok ? null : "RTCDTMFSender refused the tones" };
}

function sdp() {
	const pc = peerConnection();
	return {
		local: pc && pc.localDescription ? pc.localDescription.sdp : null,
		remote: pc && pc.remoteDescription ? pc.remoteDescription.sdp : null,
	};
}

window.startCall = startCall;
window.register = register;
window.hangup = hangup;
window.stats = stats;
window.sdp = sdp;
window.hold = hold;
window.unhold = unhold;
window.iceRestart = iceRestart;
window.dtmf = dtmf;
setState("ready");
