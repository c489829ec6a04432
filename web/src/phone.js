// phone.js: the web softphone the SBC serves (index.html).  SIP.js over
// SIP-over-WebSocket to the SBC that served the page (same host and port:
// wss on an https page, ws on an http one); audio through the browser's
// WebRTC (ICE + DTLS-SRTP to the SBC's ICE-lite media).  It connects on
// load, registers when a password is set, dials from the pad, answers
// incoming calls when registered, and offers hang-up, mute, hold and DTMF
// (RFC 4733 from the pad during a call).  The quality panel shows
// getStats() every second (quality.js); faults get one sentence of advice
// (faults.js).  Bundled with SIP.js by esbuild at build time (web/build.mjs).
import { Inviter, Registerer, RegistererState, SessionState, UserAgent }
    from "sip.js";
import { callFault, microphoneFault, transportFault } from "./faults.js";
import { lossPercent, summarize } from "./quality.js";

const $ = (id) => document.getElementById(id);
const app = { ua: null, registerer: null, session: null, incoming: false,
    muted: false, held: false, timer: null, server: null };

function status(text, ok) {
	$("status").textContent = text;
	$("status").classList.toggle("ok", !!ok);
}

function fault(text) {
	$("fault").textContent = text || "";
	$("fault").hidden = !text;
}

function defaultServer() {
	const scheme = location.protocol === "https:" ? "wss:" : "ws:";
	return `${scheme}//${location.host}`;
}

// Buttons follow the call: idle, ringing in, in progress, established.
function refreshButtons() {
	const s = app.session;
	const up = s !== null && s.state === SessionState.Established;
	const ringingIn = s !== null && app.incoming && s.state === SessionState.Initial;
	$("call").disabled = app.ua === null || s !== null;
	$("answer").hidden = !ringingIn;
	$("hangup").disabled = s === null;
	$("mute").disabled = !up;
	$("hold").disabled = !up;
	$("mute").setAttribute("aria-pressed", String(app.muted));
	$("hold").setAttribute("aria-pressed", String(app.held));
	$("mute").textContent = app.muted ? "Unmute" : "Mute";
	$("hold").textContent = app.held ? "Resume" : "Hold";
}

function account() {
	return { server: $("server").value.trim() || defaultServer(),
	    user: $("user").value.trim() || "guest",
	    domain: $("domain").value.trim() || "sbc.local",
	    password: $("password").value };
}

function makeUserAgent(a) {
	const uri = UserAgent.makeURI(`sip:${a.user}@${a.domain}`);
	if (!uri)
		throw new Error(`sip:${a.user}@${a.domain} is not a SIP address`);
	return new UserAgent({
		uri,
		displayName: a.user,
		authorizationUsername: a.password ? a.user : undefined,
		authorizationPassword: a.password || undefined,
		transportOptions: { server: a.server, connectionTimeout: 5 },
		sessionDescriptionHandlerFactoryOptions: {
			iceGatheringTimeout: 2000,
			peerConnectionConfiguration: { iceServers: [],
			    rtcpMuxPolicy: "require" },
		},
		logLevel: "warn",
		delegate: {
			onInvite: (inv) => incoming(inv),
			onDisconnect: (e) => {
				if (e) {
					status("Disconnected from the SBC");
					fault(transportFault(a.server, location.protocol === "https:"));
				}
			},
		},
	});
}

// (Re)connect with the account form's values; register if a password is set.
async function connect() {
	const a = account();
	fault(null);
	if (app.ua !== null)
		await app.ua.stop().catch(() => {});
	app.ua = null;
	app.registerer = null;
	refreshButtons();
	status(`Connecting to ${a.server}…`);
	let ua;
	try {
		ua = makeUserAgent(a);
		await ua.start();
	} catch (e) {
		status("Not connected");
		fault(transportFault(a.server, location.protocol === "https:"));
		return;
	}
	app.ua = ua;
	app.server = a.server;
	status(`Connected to ${a.server} as ${a.user}@${a.domain}`, true);
	refreshButtons();
	if (a.password)
		register(ua, a);
}

function register(ua, a) {
	const r = new Registerer(ua, { expires: 600 });
	app.registerer = r;
	r.stateChange.addListener((st) => {
		if (st === RegistererState.Registered)
			status(`Registered as ${a.user}@${a.domain}`, true);
	});
	r.register({ requestDelegate: { onReject: (resp) => {
		const m = resp.message;
		fault(m.statusCode === 401 || m.statusCode === 403 ?
		    `Registration refused: wrong user or password (${m.statusCode}).` :
		    `Registration failed: ${m.statusCode} ${m.reasonPhrase}`);
	} } }).catch((e) => fault(`Registration failed: ${e.message}`));
}

// Session plumbing shared by outgoing and incoming calls.
function track(s) {
	app.session = s;
	app.muted = app.held = false;
	s.delegate = {
		onSessionDescriptionHandler: (sdh) => {
			$("remote").srcObject = sdh.remoteMediaStream;
			$("remote").play().catch(() => {});
		},
	};
	s.stateChange.addListener((st) => {
		if (st === SessionState.Establishing)
			status(app.incoming ? "Answering…" : "Calling…");
		if (st === SessionState.Established) {
			status("In call", true);
			app.timer = setInterval(showQuality, 1000);
		}
		if (st === SessionState.Terminated)
			ended();
		refreshButtons();
	});
	refreshButtons();
}

function ended() {
	clearInterval(app.timer);
	app.timer = null;
	showQuality();		/* the last figures stay on screen */
	app.session = null;
	app.incoming = false;
	status(app.ua ? `Call ended. Connected to ${app.server}` : "Call ended", true);
	refreshButtons();
}

function peerConnection() {
	const sdh = app.session && app.session.sessionDescriptionHandler;
	return sdh ? sdh.peerConnection : null;
}

async function showQuality() {
	const pc = peerConnection();
	if (!pc || pc.connectionState === "closed")
		return;
	const q = summarize(await pc.getStats());
	$("q-codec").textContent = q.codec || "–";
	$("q-dtls").textContent = q.dtls ? `DTLS-SRTP (${q.dtls})` : "–";
	$("q-sent").textContent = String(q.sent);
	$("q-received").textContent = String(q.received);
	$("q-lost").textContent = `${q.lost} (${lossPercent(q).toFixed(1)} %)`;
	$("q-jitter").textContent = q.jitterMs === null ? "–" : `${q.jitterMs.toFixed(1)} ms`;
	$("q-rtt").textContent = q.rttMs === null ? "–" : `${q.rttMs.toFixed(0)} ms`;
	$("q-level").value = q.level;
	window.sbcPhoneQuality = q;	/* for scripted checks (tests) */
}

function callFailed(e) {
	const mic = microphoneFault(e);
	fault(mic || `The call could not start: ${e.message}`);
}

function call() {
	const num = $("number").value.trim();
	const a = account();
	const target = UserAgent.makeURI(`sip:${num}@${a.domain}`);
	if (!num || !target) {
		fault("Type a number to dial.");
		return;
	}
	fault(null);
	const inv = new Inviter(app.ua, target, { sessionDescriptionHandlerOptions:
	    { constraints: { audio: true, video: false } } });
	app.incoming = false;
	track(inv);
	inv.invite({ requestDelegate: {
		onProgress: (r) => {
			if (r.message.statusCode === 180 || r.message.statusCode === 183)
				status("Ringing…");
		},
		onReject: (r) => fault(callFault(r.message.statusCode, r.message.reasonPhrase)),
	} }).catch(callFailed);
}

function incoming(inv) {
	if (app.session !== null) {
		inv.reject({ statusCode: 486 }).catch(() => {});
		return;
	}
	app.incoming = true;
	track(inv);
	status(`Incoming call from ${inv.remoteIdentity.uri.user || "unknown"}`, true);
}

function answer() {
	const s = app.session;
	if (s && app.incoming && s.state === SessionState.Initial)
		s.accept({ sessionDescriptionHandlerOptions:
		    { constraints: { audio: true, video: false } } }).catch(callFailed);
}

function hangup() {
	const s = app.session;
	if (s === null)
		return;
	const done = (p) => p.catch((e) => fault(`Hang-up failed: ${e.message}`));
	if (s.state === SessionState.Established)
		done(s.bye());
	else if (app.incoming)
		done(s.reject());
	else if (s.state === SessionState.Initial || s.state === SessionState.Establishing)
		done(s.cancel());
}

function mute() {
	const pc = peerConnection();
	if (!pc)
		return;
	app.muted = !app.muted;
	pc.getSenders().forEach((snd) => {
		if (snd.track && snd.track.kind === "audio")
			snd.track.enabled = !app.muted;
	});
	refreshButtons();
}

// Hold and resume: a re-INVITE with a=sendonly, then a=sendrecv.
function hold() {
	const s = app.session;
	const want = !app.held;
	s.invite({ sessionDescriptionHandlerOptions: { hold: want },
	    requestDelegate: {
		onAccept: () => { app.held = want; status(want ? "On hold" : "In call", true); refreshButtons(); },
		onReject: (r) => fault(`Hold refused: ${r.message.statusCode} ${r.message.reasonPhrase}`),
	} }).catch((e) => fault(`Hold failed: ${e.message}`));
}

// A pad key: a digit to dial, or during a call an RFC 4733 DTMF event.
function key(k) {
	const s = app.session;
	if (s !== null && s.state === SessionState.Established) {
		const ok = s.sessionDescriptionHandler.sendDtmf(k, { duration: 160,
		    interToneGap: 70 });
		if (!ok)
			fault("This call cannot send DTMF (no telephone-event).");
		return;
	}
	$("number").value += k;
}

function init() {
	$("server").value = defaultServer();
	$("account").addEventListener("submit", (e) => { e.preventDefault(); connect(); });
	$("pad").addEventListener("click", (e) => {
		const b = e.target.closest("button[data-key]");
		if (b)
			key(b.dataset.key);
	});
	$("number").addEventListener("keydown", (e) => {
		if (e.key === "Enter" && !$("call").disabled)
			call();
	});
	$("call").addEventListener("click", call);
	$("answer").addEventListener("click", answer);
	$("hangup").addEventListener("click", hangup);
	$("mute").addEventListener("click", mute);
	$("hold").addEventListener("click", hold);
	if (!window.RTCPeerConnection || !navigator.mediaDevices) {
		status("Not available");
		fault("This browser cannot make WebRTC calls from this page " +
		    "(WebRTC needs https, or http on localhost).");
		return;
	}
	connect();
}

init();
