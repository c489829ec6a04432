// fixed-sdh.mjs: the media stand-in the Node SIP.js test clients share
// (sip-client.mjs, sip-device.mjs).  Node has no WebRTC: a fixed session
// description handler stands in for RTCPeerConnection.  It offers a
// realistic browser SDP (DTLS-SRTP, ICE, BUNDLE, rtcp-mux,
// opus/PCMU/PCMA/telephone-event) with the client's own address as host
// candidate, answers offers (a=setup:active, the direction mirrored, the
// offered payload types kept), accepts any answer, and supports
// hold/unhold re-offers.
//
//   new FixedSdh({ localAddress, onAnswer })
//     localAddress: () => "IP", asked each time a description is made (the
//                   WebSocket's local address is known only once it opened)
//     onAnswer:     (sdp) => void, called with every answer received to
//                   one of our offers (optional)
//   browserSdp(version, { setup, direction, payloads, address })

export const SESSION_ID = "4611731400430051336";
export const FINGERPRINT = "sha-256 " +
    "7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:" +
    "DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08";
export const MEDIA_PORT = 40000 + (process.pid % 20000);
export const CODECS = [
	{ pt: 111, lines: ["a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc",
	    "a=fmtp:111 minptime=10;useinbandfec=1"] },
	{ pt: 0, lines: ["a=rtpmap:0 PCMU/8000"] },
	{ pt: 8, lines: ["a=rtpmap:8 PCMA/8000"] },
	{ pt: 126, lines: ["a=rtpmap:126 telephone-event/8000"] },
];
export const ANSWER_DIRECTION = {
	sendrecv: "sendrecv", sendonly: "recvonly", recvonly: "sendonly",
	inactive: "inactive",
};

export function sdpDirection(sdp) {
	const m = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(sdp || "");
	return m ? m[1] : "sendrecv";
}

export function sdpPayloads(sdp) {
	const m = /^m=audio \d+ \S+ ([\d ]+)/m.exec(sdp || "");
	return m ? m[1].trim().split(/\s+/).map(Number) : [];
}

// A Chrome-like description once ICE gathering is complete.
export function browserSdp(version, { setup, direction, payloads, address }) {
	const codecs = CODECS.filter((c) => payloads === null || payloads.includes(c.pt));
	const use = codecs.length > 0 ? codecs : CODECS;
	const lines = [
		"v=0",
		`o=browser-secret ${SESSION_ID} ${version} IN IP4 127.0.0.1`,
		"s=-",
		"t=0 0",
		"a=group:BUNDLE 0",
		"a=extmap-allow-mixed",
		"a=msid-semantic: WMS browser-stream",
		`m=audio ${MEDIA_PORT} UDP/TLS/RTP/SAVPF ${use.map((c) => c.pt).join(" ")}`,
		`c=IN IP4 ${address}`,
		"a=rtcp:9 IN IP4 0.0.0.0",
		`a=candidate:2999745851 1 udp 2122260223 ${address} ${MEDIA_PORT} typ host generation 0 network-id 1`,
		"a=ice-ufrag:Bx7q",
		"a=ice-pwd:ZyQ1mB3lR0pS5tV8wXc2n4Hk",
		"a=ice-options:trickle",
		`a=fingerprint:${FINGERPRINT}`,
		`a=setup:${setup}`,
		"a=mid:0",
		"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
		`a=${direction}`,
		"a=msid:browser-stream browser-track",
		"a=rtcp-mux",
		...use.flatMap((c) => c.lines),
		"a=ssrc:3735928559 cname:browsercname",
		"",
	];
	return lines.join("\r\n");
}

export class FixedSdh {
	constructor({ localAddress = () => "127.0.0.1", onAnswer = null } = {}) {
		this.localAddress = localAddress;
		this.onAnswer = onAnswer;
		this.version = 1;
		this.state = "stable";	// stable | have-local-offer | have-remote-offer
		this.remoteOffer = null;
		this.answers = [];	// every answer received, in order
	}

	close() {}

	hasDescription(contentType) {
		return contentType === "application/sdp";
	}

	async getDescription(options) {
		let body;
		if (this.state === "have-remote-offer") {
			body = browserSdp(this.version++, {
				setup: "active",
				direction: ANSWER_DIRECTION[sdpDirection(this.remoteOffer)],
				payloads: sdpPayloads(this.remoteOffer),
				address: this.localAddress(),
			});
			this.state = "stable";
		} else {
			const hold = options && options.hold === true;
			body = browserSdp(this.version++, {
				setup: "actpass",
				direction: hold ? "sendonly" : "sendrecv",
				payloads: null,
				address: this.localAddress(),
			});
			this.state = "have-local-offer";
		}
		return { body, contentType: "application/sdp" };
	}

	async setDescription(sdp) {
		if (this.state === "have-local-offer") {
			this.answers.push(sdp);
			if (this.onAnswer !== null)
				this.onAnswer(sdp);
			this.state = "stable";
		} else {
			this.remoteOffer = sdp;
			this.state = "have-remote-offer";
		}
	}

	async rollbackDescription() {
		this.state = "stable";
	}

	sendDtmf() {
		return false;
	}
}
