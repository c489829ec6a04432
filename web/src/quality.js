// quality.js: the call-quality figures of the softphone, read from an
// RTCPeerConnection's getStats() (W3C webrtc-stats): codec, DTLS state,
// RTP packets sent/received/lost, jitter, round-trip time, incoming audio
// level and energy.  Pure apart from the getStats() call; phone.js shows
// the result every second while a call lasts.

// One summary of a stats report: numbers are null when not (yet) known.
export function summarize(report) {
	const byId = new Map();
	report.forEach((s) => byId.set(s.id, s));
	const out = { codec: null, dtls: null, sent: 0, received: 0, lost: 0,
	    jitterMs: null, rttMs: null, level: 0, energy: 0 };
	for (const s of byId.values()) {
		if (s.type === "inbound-rtp" && s.kind === "audio") {
			out.received += s.packetsReceived || 0;
			out.lost += Math.max(0, s.packetsLost || 0);
			if (typeof s.jitter === "number")
				out.jitterMs = s.jitter * 1000;
			if (typeof s.audioLevel === "number")
				out.level = s.audioLevel;
			out.energy += s.totalAudioEnergy || 0;
			const c = s.codecId ? byId.get(s.codecId) : null;
			if (c)
				out.codec = `${c.mimeType.replace(/^audio\//, "")}/${c.clockRate}`;
		} else if (s.type === "outbound-rtp" && s.kind === "audio") {
			out.sent += s.packetsSent || 0;
		} else if (s.type === "remote-inbound-rtp" &&
		    typeof s.roundTripTime === "number") {
			out.rttMs = s.roundTripTime * 1000;
		} else if (s.type === "transport") {
			out.dtls = s.dtlsState || out.dtls;
			const pair = s.selectedCandidatePairId ?
			    byId.get(s.selectedCandidatePairId) : null;
			if (out.rttMs === null && pair &&
			    typeof pair.currentRoundTripTime === "number")
				out.rttMs = pair.currentRoundTripTime * 1000;
		}
	}
	return out;
}

// The loss as a share of what should have arrived, in percent.
export function lossPercent(q) {
	const expected = q.received + q.lost;
	return expected > 0 ? (100 * q.lost) / expected : 0;
}
