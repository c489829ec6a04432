// faults.js: what the softphone tells a person when something common goes
// wrong: the WebSocket to the SBC refused or unreachable (often an
// untrusted certificate), the microphone denied or missing, a call
// rejected.  Pure: each function turns an error or a SIP status into one
// sentence of advice.

// The WebSocket could not be opened (or closed before SIP could start).
export function transportFault(server, pageIsHttps) {
	const https = server.replace(/^wss:/, "https:").replace(/^ws:/, "http:");
	if (server.startsWith("wss:") && !pageIsHttps)
		return `Cannot open ${server}. If the SBC uses a self-signed ` +
		    `certificate, open ${https}/ once and accept it, then reload.`;
	return `The SBC refused the WebSocket at ${server} (or is not ` +
	    "running). Check the address; an SBC only accepts pages from the " +
	    "origins in its policy.allowed_origins, and over wss only with a " +
	    "certificate this browser trusts.";
}

// getUserMedia failed: by DOMException name.
export function microphoneFault(err) {
	switch (err && err.name) {
	case "NotAllowedError":
	case "SecurityError":
		return "Microphone access was denied. Allow the microphone for " +
		    "this page (the icon in the address bar) and call again.";
	case "NotFoundError":
	case "OverconstrainedError":
		return "No microphone was found. Connect one and call again.";
	case "NotReadableError":
	case "AbortError":
		return "The microphone is in use by another program or could " +
		    "not be opened.";
	default:
		return null;
	}
}

const CALL_FAULTS = {
	401: "The SBC wants you to register first (set a password).",
	403: "The SBC or the PBX refused the call.",
	404: "No such number.",
	407: "The PBX wants credentials this softphone does not have.",
	408: "Nobody answered.",
	480: "The number is not reachable now.",
	486: "Busy.",
	487: "Call cancelled.",
	488: "The other side accepts none of this browser's codecs.",
	503: "The SBC or the PBX is overloaded or down; try again later.",
	603: "Declined.",
};

// A final failure response to our INVITE.
export function callFault(status, phrase) {
	const why = CALL_FAULTS[status] ||
	    (status >= 500 ? "The PBX side failed." : "The call failed.");
	return `${why} (${status} ${phrase || ""})`.replace(/ \)$/, ")");
}
