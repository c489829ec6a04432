#!/usr/bin/env node
// browser-call.mjs: one call from a real browser through the SBC.  Drives
// headless Debian Chromium (playwright-core, /usr/bin/chromium, fake audio
// device) on the test page tests/e2e/browser/ (served by serve.mjs): SIP.js
// over WS/WSS places a call, talks for --seconds, hangs up with BYE, and
// reads RTCPeerConnection.getStats() before the BYE.  Prints one JSON line:
//   {pass, ws, bundle, mdns, call, stats, bye, mdnsCandidates, error, trace?}
// Exit 0 when the call was answered, the transport's dtlsState is
// "connected", inbound-rtp audio packetsReceived > --min-packets (100) and
// the BYE got a 2xx; 1 otherwise; 2 on a usage error.
// With --signaling-only, media is not judged (answer + BYE 2xx suffice): the
// state of things before the media plane exists.
// --badfp: the browser's offer carries a wrong a=fingerprint (not that of
// its DTLS certificate; see phone.mjs).  --expect-remote-bye: the call must
// end from the far end instead: exit 0 when it was answered and then ended
// by a BYE received within --timeout (less 5 s for the report; --seconds is
// not used), and media never flowed: per the page's snapshots DTLS was
// never "connected" or fewer than 10 audio packets came in.  Then no BYE is
// sent (bye is null) unless the call was still up at the deadline.
// --incoming: the browser is called instead.  The page registers
// --user/--pass (default alice/secret) at --domain (default sbc.test) and
// answers the first incoming call at once; once registered it prints
// "browser-call: registered" on stderr and writes "registered" to
// --ready-file PATH (if given): the test places its call then.  Exit 0
// when a call came and was answered within --timeout (less 5 s for the
// report; --to and --seconds are not used), was then ended by a BYE from
// the far end, and, per the page's last getStats() snapshot while
// established, dtlsState was "connected" and inbound-rtp audio
// packetsReceived > --min-packets (--signaling-only: answer + remote BYE
// suffice).  A call still up at the deadline is hung up (bye) and fails.
// JSON adds {register: {ok, status, error}, registered, incoming: {from,
// ruri, offer, answered, ...}, remoteBye}; call is {ok, answered, error}.
//
// Usage: node browser-call.mjs --ws URL [--to URI] [--page URL]
//   [--seconds N] [--bundle balanced|max-bundle] [--mdns on|off]
//   [--timeout S] [--min-packets N] [--signaling-only] [--chromium PATH]
//   [--badfp] [--expect-remote-bye] [--verbose]
//   [--incoming [--user U] [--pass P] [--domain D] [--ready-file PATH]]
//   [--midcall "SEC:ACTION,..."]  ACTION: hold, unhold, ice-restart, dtmf:DIGITS;
//   each step's result and the packets received before and 1.5 s after
//   go to result.midcall; a failed step fails the run
// --page is the test page's URL (default http://127.0.0.1:8090/, a secure
// context as getUserMedia needs); --timeout bounds the whole run (default 40).
// --mdns on also changes the audio source: Chromium hides host addresses
// behind mDNS names only from pages without microphone permission, and
// --use-fake-ui-for-media-stream grants it up front, so that variant runs
// without that flag and sends a WebAudio tone instead of the fake microphone.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

function usage(msg) {
	process.stderr.write(`browser-call: ${msg}\n` +
	    "usage: browser-call.mjs --ws URL [--to URI] [--page URL] [--seconds N] " +
	    "[--bundle balanced|max-bundle] [--mdns on|off] [--timeout S] " +
	    "[--min-packets N] [--signaling-only] [--chromium PATH] [--badfp] " +
	    "[--expect-remote-bye] [--verbose] [--incoming [--user U] [--pass P] " +
	    "[--domain D] [--ready-file PATH]]\n");
	process.exit(2);
}

function parseArgs(argv) {
	const a = {
		ws: null, to: "sip:1000@sbc.test", page: "http://127.0.0.1:8090/",
		seconds: 10, bundle: "balanced", mdns: "off", timeout: 40,
		minPackets: 100, signalingOnly: false, chromium: "/usr/bin/chromium",
		verbose: false, badfp: false, expectRemoteBye: false,
		incoming: false, user: "alice", pass: "secret", domain: "sbc.test",
		readyFile: null, midcall: null,
	};
	const withValue = {
		"--ws": "ws", "--to": "to", "--page": "page", "--seconds": "seconds",
		"--bundle": "bundle", "--mdns": "mdns", "--timeout": "timeout",
		"--min-packets": "minPackets", "--chromium": "chromium",
		"--user": "user", "--pass": "pass", "--domain": "domain",
		"--ready-file": "readyFile", "--midcall": "midcall",
	};
	const flags = { "--signaling-only": "signalingOnly", "--verbose": "verbose",
		"--badfp": "badfp", "--expect-remote-bye": "expectRemoteBye",
		"--incoming": "incoming" };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i];
		if (k in flags)
			a[flags[k]] = true;
		else if (k in withValue && i + 1 < argv.length)
			a[withValue[k]] = argv[++i];
		else
			usage(`bad argument '${k}'`);
	}
	for (const k of ["seconds", "timeout", "minPackets"]) {
		a[k] = Number(a[k]);
		if (!Number.isFinite(a[k]) || a[k] < 0)
			usage(`--${k} must be a number`);
	}
	if (!a.ws || !/^wss?:\/\//.test(a.ws))
		usage("--ws ws://HOST:PORT or wss://HOST:PORT is required");
	if (!["balanced", "max-bundle"].includes(a.bundle))
		usage("--bundle balanced|max-bundle");
	if (!["on", "off"].includes(a.mdns))
		usage("--mdns on|off");
	if (a.incoming && a.expectRemoteBye)
		usage("--incoming and --expect-remote-bye do not go together");
	a.midcall = a.midcall === null ? [] : a.midcall.split(",").map(parseStep);
	return a;
}

// --midcall "2:hold,4:unhold,6:ice-restart,8:dtmf:1234": actions at
// seconds after the answer, during the talk.
function parseStep(s) {
	const m = /^(\d+(?:\.\d+)?):(hold|unhold|ice-restart|dtmf:[0-9A-D*#]+)$/.exec(s);
	if (!m)
		usage(`bad --midcall step '${s}'`);
	return { at: Number(m[1]), action: m[2] };
}

const args = parseArgs(process.argv.slice(2));

// The flags of this test.  Playwright adds its own defaults before them
// (among them --headless, --no-sandbox, --disable-background-networking,
// --disable-component-update, --disable-sync, --no-first-run and a
// --disable-features list); ours come last and are the ones in force.
function chromiumArgs() {
	const disabled = ["LocalNetworkAccessChecks", "LocalNetworkAccessChecksWebSockets",
	    "LocalNetworkAccessChecksWebRTC"];
	if (args.mdns === "off")
		disabled.push("WebRtcHideLocalIpsWithMdns");	// real host candidates
	return [
		"--headless=new",
		"--no-sandbox",
		// grant the microphone, no prompt (mDNS on: no permission at all)
		...(args.mdns === "off" ? ["--use-fake-ui-for-media-stream"] : []),
		"--use-fake-device-for-media-stream",	// a beeping fake microphone
		"--autoplay-policy=no-user-gesture-required",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-dev-shm-usage",
		"--ignore-certificate-errors",		// the SBC's self-signed WSS certificate
		`--disable-features=${disabled.join(",")}`,
	];
}

const result = {
	pass: false, ws: args.ws, bundle: args.bundle, mdns: args.mdns,
	call: null, stats: null, bye: null, mdnsCandidates: null, error: null,
};
if (args.badfp)
	result.badfp = true;
if (args.expectRemoteBye || args.incoming)
	result.remoteBye = null;	// {afterMs: BYE received this long after the answer, reason}
if (args.incoming) {
	result.incomingMode = true;
	result.register = null;
	result.registered = false;
	result.incoming = null;
}
const started = Date.now();
let browser = null;
let done = false;
const console_ = [];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolve a promise within ms or throw what.
function within(ms, what, p) {
	let t;
	return Promise.race([p, new Promise((_, rej) => {
		t = setTimeout(() => rej(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
	})]).finally(() => clearTimeout(t));
}

async function finish(code) {
	if (done)
		return;
	done = true;
	if (code !== 0 || args.verbose)
		result.console = console_.slice(-60);
	process.stdout.write(JSON.stringify(result) + "\n");
	if (browser)
		await within(5000, "browser close", browser.close()).catch(() => {});
	process.exit(code);
}

async function trace(page) {
	try {
		result.trace = await within(3000, "trace", page.evaluate(() => window.trace));
	} catch { /* the page may be gone */ }
}

// --expect-remote-bye: answered, ended by the far end's BYE, no media.
function judgeRemoteBye() {
	const s = result.stats;
	if (!result.call || !result.call.ok)
		return "call not answered";
	const ended = s ? s.ended : null;
	if (!ended)
		return `no BYE from the far end within ${args.timeout} s (state ${s ? s.state : "unknown"})`;
	if (ended.by !== "remote")
		return `the call ended, but not by a BYE received (${ended.by})`;
	const m = s.mediaSeen || {};
	if (m.dtlsConnected && m.packetsReceived >= 10)
		return `media flowed: dtlsState was connected, ${m.packetsReceived} packets received`;
	return null;
}

// --incoming: a call came, was answered, ended by the far end's BYE, and
// had media while it lasted (the last snapshot before the BYE).
function judgeIncoming() {
	const s = result.stats;
	if (!result.registered)
		return `not registered: ${result.register ? result.register.error || result.register.status : "no result"}`;
	if (!result.incoming)
		return `no incoming call within ${Math.max(1, args.timeout - 5)} s`;
	if (!result.incoming.answered)
		return `incoming call not answered${result.incoming.error ? ": " + result.incoming.error : ""} (state ${s ? s.state : "unknown"})`;
	const ended = s ? s.ended : null;
	if (!ended)
		return `no BYE from the far end within ${args.timeout} s (state ${s ? s.state : "unknown"})`;
	if (ended.by !== "remote")
		return `the call ended, but not by a BYE received (${ended.by})`;
	if (args.signalingOnly)
		return null;
	const last = s.lastStats || {};
	const m = s.mediaSeen || {};
	if (last.dtlsState !== "connected")
		return `dtlsState ${last.dtlsState ?? "unknown"} in the last snapshot, not connected (states seen: ${(m.dtlsStates || []).join(", ")})`;
	const got = Math.max(last.inbound ? last.inbound.packetsReceived || 0 : 0,
	    m.packetsReceived || 0);
	if (!(got > args.minPackets))
		return `inbound-rtp audio packetsReceived ${got}, not > ${args.minPackets}`;
	const bad = (result.midcall || []).find((m) => !m.result || !m.result.ok);
	if (bad)
		return `mid-call ${bad.action}: ${bad.result ? bad.result.error : "no result"}`;
	if ((result.midcall || []).length !== args.midcall.length)
		return `${(result.midcall || []).length} of ${args.midcall.length} mid-call steps done`;
	return null;
}

function judge() {
	if (args.incoming)
		return judgeIncoming();
	if (args.expectRemoteBye)
		return judgeRemoteBye();
	const s = result.stats;
	if (!result.call || !result.call.ok)
		return "call not answered";
	if (!result.bye || !result.bye.ok)
		return "BYE not answered 2xx";
	if (args.signalingOnly)
		return null;
	if (!s || s.dtlsState !== "connected")
		return `dtlsState ${s ? s.dtlsState : "unknown"}, not connected`;
	const got = s.inbound ? s.inbound.packetsReceived : 0;
	if (!(got > args.minPackets))
		return `inbound-rtp audio packetsReceived ${got}, not > ${args.minPackets}`;
	return null;
}

async function main() {
	const overall = setTimeout(() => {
		result.error = `timeout after ${args.timeout} s`;
		finish(1);
	}, args.timeout * 1000);
	overall.unref();

	browser = await within(15000, "Chromium launch", chromium.launch({
		executablePath: args.chromium,
		headless: true,
		args: chromiumArgs(),
		timeout: 15000,
	}));
	const context = await browser.newContext({ ignoreHTTPSErrors: true });
	const page = await context.newPage();
	page.on("console", (m) => console_.push(`${m.type()}: ${m.text()}`));
	page.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));

	const url = new URL(args.page);
	url.searchParams.set("ws", args.ws);
	url.searchParams.set("to", args.to);
	url.searchParams.set("bundle", args.bundle);
	url.searchParams.set("source", args.mdns === "on" ? "tone" : "mic");
	if (args.badfp)
		url.searchParams.set("badfp", "1");
	if (args.incoming) {
		url.searchParams.delete("to");
		url.searchParams.set("register", "1");
		url.searchParams.set("user", args.user);
		url.searchParams.set("pass", args.pass);
		url.searchParams.set("domain", args.domain);
		url.searchParams.set("autoanswer", "1");
	}
	await page.goto(url.href, { timeout: 30000 });
	await page.waitForFunction(() => window.state === "ready", null, { timeout: 10000 });
	if (args.incoming)
		return incoming(page);

	result.call = await within(20000, "call setup",
	    page.evaluate(() => window.startCall()));
	if (!result.call.ok) {
		result.error = result.call.error || "call failed";
		result.stats = await within(3000, "stats", page.evaluate(() => window.stats())).catch(() => null);
		await trace(page);
		return finish(1);
	}

	// Talk; stop early if the far end hangs up.  --expect-remote-bye: wait
	// for that, up to the overall deadline less 5 s for the report.
	const answered = Date.now();
	const end = args.expectRemoteBye ? started + Math.max(1, args.timeout - 5) * 1000 :
	    Date.now() + args.seconds * 1000;
	const steps = args.midcall.slice();
	while (Date.now() < end) {
		await sleep(Math.min(250, Math.max(0, end - Date.now())));
		if (await page.evaluate(() => window.state) !== "Established")
			break;
		if (steps.length > 0 && Date.now() - answered >= steps[0].at * 1000)
			await midcall(page, steps.shift());
	}
	if (args.expectRemoteBye)
		await sleep(300);	// the page's last snapshot, taken on the BYE
	result.stats = await within(5000, "getStats", page.evaluate(() => window.stats()));
	const local = result.stats.localCandidates || [];
	result.mdnsCandidates = local.filter((c) => c && /\.local$/.test(c.address || "")).length;
	if (args.expectRemoteBye) {
		const e = result.stats.ended;
		if (e && e.by === "remote")
			result.remoteBye = { afterMs: e.establishedAt === null ? null :
			    Math.round(e.at - e.establishedAt), reason: e.reason };
		else if (result.stats.state === "Established")	// clean up our side
			result.bye = await within(4000, "BYE", page.evaluate(() => window.hangup())).catch(() => null);
	} else
		result.bye = await within(12000, "BYE", page.evaluate(() => window.hangup()));

	result.error = judge();
	result.pass = result.error === null;
	if (!result.pass || args.verbose) {
		result.sdp = await within(3000, "sdp", page.evaluate(() => window.sdp())).catch(() => null);
		await trace(page);
	}
	return finish(result.pass ? 0 : 1);
}

// One --midcall step: its result, and the packets received just before
// and 1.5 s after it (media must go on, or stop on hold).
async function midcall(page, step) {
	const received = async () => {
		const s = await within(5000, "getStats", page.evaluate(() => window.stats()));
		return { packets: s.inbound ? s.inbound.packetsReceived : 0,
		    ssrc: s.inbound ? s.inbound.ssrc : null, at: Date.now() - started,
		    dtlsState: s.dtlsState, iceState: s.iceState };
	};
	const rec = { at: step.at, action: step.action, before: await received() };
	const a = step.action;
	if (a.startsWith("dtmf:"))
		rec.result = await page.evaluate((t) => window.dtmf(t), a.slice(5));
	else
		rec.result = await within(12000, a, page.evaluate((x) => x === "hold" ?
		    window.hold() : x === "unhold" ? window.unhold() : window.iceRestart(), a));
	await sleep(1500);
	rec.after = await received();
	result.midcall = result.midcall || [];
	result.midcall.push(rec);
}

// --incoming: register, announce it, take one call, wait for its end.
async function incoming(page) {
	const deadline = started + Math.max(1, args.timeout - 5) * 1000;
	const state = () => page.evaluate(() => ({ registered: window.registered,
	    incoming: window.incoming, state: window.state,
	    ended: window.ended }));
	result.pageAfterMs = Date.now() - started;
	result.register = await within(17000, "REGISTER", page.evaluate(() => window.register()));
	let st = await state();
	while (!st.registered && Date.now() < Math.min(deadline, started + 25000)) {
		await sleep(100);
		st = await state();
	}
	result.registered = st.registered;
	if (!st.registered) {
		result.error = judgeIncoming();
		await trace(page);
		return finish(1);
	}
	result.registeredAfterMs = Date.now() - started;
	process.stderr.write(`browser-call: registered ${args.user}@${args.domain} ` +
	    `after ${result.registeredAfterMs} ms\n`);
	if (args.readyFile !== null)
		writeFileSync(args.readyFile, "registered\n");

	// The call: wait for it to come, then for it to end.
	while (Date.now() < deadline) {
		st = await state();
		if (st.ended !== null || (st.incoming && st.incoming.error))
			break;
		await sleep(200);
	}
	await sleep(300);	// the page's last snapshot, taken on the BYE
	result.stats = await within(5000, "getStats", page.evaluate(() => window.stats()));
	result.incoming = result.stats.incoming;
	result.call = { ok: !!(result.incoming && result.incoming.answered),
	    answered: !!(result.incoming && result.incoming.answered),
	    error: result.incoming ? result.incoming.error : null };
	const local = result.stats.localCandidates || [];
	result.mdnsCandidates = local.filter((c) => c && /\.local$/.test(c.address || "")).length;
	const e = result.stats.ended;
	if (e && e.by === "remote")
		result.remoteBye = { afterMs: e.establishedAt === null ? null :
		    Math.round(e.at - e.establishedAt), reason: e.reason };
	else if (result.stats.state === "Established")	// clean up our side
		result.bye = await within(4000, "BYE", page.evaluate(() => window.hangup())).catch(() => null);

	result.error = judgeIncoming();
	result.pass = result.error === null;
	if (!result.pass || args.verbose) {
		result.sdp = await within(3000, "sdp", page.evaluate(() => window.sdp())).catch(() => null);
		await trace(page);
	}
	return finish(result.pass ? 0 : 1);
}

for (const sig of ["SIGTERM", "SIGINT"]) {
	process.on(sig, () => {
		result.error = `killed by ${sig}`;
		finish(1);
	});
}

main().catch((e) => {
	result.error = e.message.split("\n")[0];
	finish(1);
});
