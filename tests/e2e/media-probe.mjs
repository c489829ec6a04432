// media-probe.mjs: hostile traffic at the SBC's browser-side media ports
// while a real call runs (browser_call.sh): garbage datagrams, RTP-looking
// packets from an address ICE never checked, and STUN binding requests
// with wrong credentials.  The call must not notice; no STUN request may
// get a success answer.  Prints one JSON line; exit 0 when no success
// response was seen.
//
// Usage: node media-probe.mjs --host IP --from PORT --to PORT [--seconds S]
import dgram from 'node:dgram';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

const arg = (name, def) => {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : def;
};
const host = arg('host');
const from = Number(arg('from', 20000));
const to = Number(arg('to', 20999));
const seconds = Number(arg('seconds', 3));

function attr(type, value) {
	const pad = (4 - (value.length % 4)) % 4;
	const a = Buffer.alloc(4 + value.length + pad);
	a.writeUInt16BE(type, 0);
	a.writeUInt16BE(value.length, 2);
	value.copy(a, 4);
	return a;
}

// A well-formed Binding request signed with a key the SBC never gave out.
function badStun() {
	const hdr = Buffer.alloc(20);
	hdr.writeUInt16BE(0x0001, 0);
	hdr.writeUInt32BE(0x2112a442, 4);
	crypto.randomBytes(12).copy(hdr, 8);
	let body = attr(0x0006, Buffer.from('wrongufrag:probe'));
	const withMi = Buffer.concat([hdr, body]);
	withMi.writeUInt16BE(body.length + 24, 2);
	const mi = crypto.createHmac('sha1', 'not-the-password-at-all')
	    .update(withMi).digest();
	body = Buffer.concat([body, attr(0x0008, mi)]);
	const withFp = Buffer.concat([hdr, body]);
	withFp.writeUInt16BE(body.length + 8, 2);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE((zlib.crc32(withFp) ^ 0x5354554e) >>> 0, 0);
	return Buffer.concat([withFp, attr(0x8028, crc)]);
}

function rtpLike() {
	const p = crypto.randomBytes(172);
	p[0] = 0x80;
	p[1] = 0x00;
	return p;
}

const sock = dgram.createSocket('udp4');
const seen = { sent: 0, responses: 0, success: 0, errors: 0 };
sock.on('message', (m) => {
	seen.responses++;
	if (m.length >= 2 && m.readUInt16BE(0) === 0x0101)
		seen.success++;
	else if (m.length >= 2 && m.readUInt16BE(0) === 0x0111)
		seen.errors++;
});
sock.bind(0, () => {
	const end = Date.now() + seconds * 1000;
	const round = () => {
		for (let port = from; port <= to; port++) {
			for (const p of [crypto.randomBytes(64), rtpLike(), badStun()]) {
				sock.send(p, port, host);
				seen.sent++;
			}
		}
		if (Date.now() < end)
			setTimeout(round, 200);
		else
			setTimeout(() => {
				console.log(JSON.stringify(seen));
				sock.close();
				process.exit(seen.success === 0 ? 0 : 1);
			}, 500);
	};
	round();
});
