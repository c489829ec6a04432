#!/usr/bin/env node
// echo-pbx.mjs: the media half of the test PBX of tests/system/browser_call.sh
// (its SIP half is SIPp with sipp/uas_echo.xml, whose 200 OK points the SBC
// at this port).  Plain RTP over UDP, Node built-ins only:
//   - RTP on --port: every packet is counted and sent back to its source,
//     with the SSRC replaced (x ^ 0x5a5a5a5a) so the browser receives a
//     stream of its own rather than its own SSRC back (--keep-ssrc: as is);
//   - RTCP on --port + 1 (an SBC without rtcp-mux toward the PBX) and RTCP
//     multiplexed on --port (payload types 200-204): counted, not echoed.
// On SIGTERM/SIGINT, after --lifetime seconds (default 120), and on any
// exit it writes the counts as JSON to --out FILE:
//   {rtp, rtcp, echoed, sources: ["ip:port", ...], firstPt, badVersion, pts}
//   (badVersion: not RTP/RTCP v2; pts: RTP packets per payload type)
//
// Why not `sipp -rtp_echo`: SIPp 3.6.1 echoes in a thread of its own and
// reports no count of the packets it saw, which is what this test asserts.
//
// Usage: node echo-pbx.mjs --port P --out FILE [--host 10.201.2.2]
//        [--keep-ssrc] [--lifetime S]
import { createSocket } from "node:dgram";
import { writeFileSync } from "node:fs";

function arg(name, dflt) {
	const i = process.argv.indexOf(name);
	return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const host = arg("--host", "10.201.2.2");
const port = Number(arg("--port", "0"));
const out = arg("--out", null);
const lifetime = Number(arg("--lifetime", "120"));
const keepSsrc = process.argv.includes("--keep-ssrc");
if (!(port > 0 && port < 65535 && port % 2 === 0) || out === null) {
	process.stderr.write("usage: echo-pbx.mjs --port EVEN-PORT --out FILE " +
	    "[--host ADDR] [--keep-ssrc] [--lifetime S]\n");
	process.exit(2);
}

const counts = { rtp: 0, rtcp: 0, echoed: 0, sources: [], firstPt: null, badVersion: 0, pts: {} };
const MAX_SOURCES = 16;

function noteSource(rinfo) {
	const s = `${rinfo.address}:${rinfo.port}`;
	if (!counts.sources.includes(s) && counts.sources.length < MAX_SOURCES)
		counts.sources.push(s);
}

function save() {
	try {
		writeFileSync(out, JSON.stringify(counts) + "\n");
	} catch (e) {
		process.stderr.write(`echo-pbx: ${out}: ${e.message}\n`);
	}
}

const rtp = createSocket("udp4");
const rtcp = createSocket("udp4");

rtp.on("message", (msg, rinfo) => {
	if (msg.length < 8 || (msg[0] >> 6) !== 2) {
		counts.badVersion++;
		return;
	}
	if (msg[1] >= 200 && msg[1] <= 204) {	// RTCP multiplexed: SR, RR, SDES, BYE, APP
		counts.rtcp++;
		return;
	}
	if (msg.length < 12) {
		counts.badVersion++;
		return;
	}
	const pt = msg[1] & 0x7f;
	counts.rtp++;
	counts.pts[pt] = (counts.pts[pt] || 0) + 1;
	if (counts.firstPt === null)
		counts.firstPt = pt;
	noteSource(rinfo);
	if (!keepSsrc)
		msg.writeUInt32BE((msg.readUInt32BE(8) ^ 0x5a5a5a5a) >>> 0, 8);
	rtp.send(msg, rinfo.port, rinfo.address, (err) => {
		if (!err)
			counts.echoed++;
	});
});
rtcp.on("message", () => { counts.rtcp++; });

for (const s of [rtp, rtcp]) {
	s.on("error", (e) => {
		process.stderr.write(`echo-pbx: ${e.message}\n`);
		process.exit(1);
	});
}

let bound = 0;
function onBound() {
	if (++bound === 2) {
		save();		// the file exists as soon as we listen
		process.stdout.write(`echo-pbx: RTP echo on ${host}:${port}\n`);
	}
}
rtp.bind(port, host, onBound);
rtcp.bind(port + 1, host, onBound);

function stop() {
	save();
	process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("exit", save);
setTimeout(stop, lifetime * 1000).unref();
// Keep the file fresh, so a kill -KILL still leaves a recent count.
setInterval(save, 1000).unref();
