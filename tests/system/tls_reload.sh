#!/bin/bash
# tls_reload.sh: a certificate renewal (what an ACME client's deploy hook
# does: new files in place, then `sbcctl reload`) reaches the WSS
# listener without a restart, read by the daemon after it dropped root.
# A renewed key that others may read, or the daemon's user cannot read,
# or that does not match the certificate, makes the reload fail with the
# reason (sbcctl exit 1) and the running certificate stays; unchanged
# files are not read again; SIGHUP reloads the certificate too.
. "$top_srcdir/tests/system/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (to drop privileges)"
	exit 0
fi
plan 10

PORT=15562
chmod 755 "$T"
mkdir -p "$T/tls" "$T/run" && chown nobody "$T/run"

mkcert() {	# mkcert NAME: $T/NAME.{crt,key}, CN=NAME.test
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -subj "/CN=$1.test" -days 90 -keyout "$T/$1.key" \
	    -out "$T/$1.crt" >"$T/openssl.out" 2>&1
}
# deploy NAME [KEYNAME]: what a deploy hook does, as root: the key 0640
# root:nogroup (the daemon's group), the chain 0644.
deploy() {
	install -m 0644 "$T/$1.crt" "$T/tls/fullchain.pem" &&
		install -m 0640 -g nogroup "$T/${2:-$1}.key" "$T/tls/privkey.pem"
}
# served: the CN of the certificate a new TLS connection gets
served() {
	timeout 10 openssl s_client -connect 127.0.0.1:$PORT </dev/null \
	    2>/dev/null | openssl x509 -noout -subject -nameopt RFC2253 \
	    2>/dev/null | sed -n 's/^subject=CN=//p'
}
for c in a b c; do
	mkcert $c || { echo "Bail out! openssl cannot make a certificate"; diag "$T/openssl.out"; exit 1; }
done

cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; user = "nobody"; group = "nogroup"; };
tls = { certificate = "$T/tls/fullchain.pem"; private_key = "$T/tls/privkey.pem"; };
listeners = (
  { name = "browsers"; transport = "wss"; address = "127.0.0.1"; port = $PORT; },
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15563; }
);
media = { workers = 1; };
cli = { socket = "$T/run/sbcctl.sock"; };
CONF
reload() { "$SBCCTL" -s "$T/run/sbcctl.sock" reload >"$T/reload.out" 2>&1; }

# Started as root with a key only root may read (0600): fine at start.
deploy a && chmod 0600 "$T/tls/privkey.pem"
sbc_start -c "$T/sbc.conf" && [ "$(served)" = a.test ]
ok $? "serves certificate a.test" || diag "$T/sbc.log"

# Unchanged files are not read again: the reload of other settings works
# although nobody cannot read that key.
reload && grep -q "configuration reloaded" "$T/reload.out" &&
	[ "$(served)" = a.test ] && ! grep -q "read again" "$T/sbc.log"
ok $? "certificate files unchanged: reload works, not read again (root-only key), a.test stays" ||
	{ diag "$T/reload.out"; diag "$T/sbc.log"; }

deploy b
reload && grep -q "configuration reloaded" "$T/reload.out" &&
	[ "$(served)" = b.test ]
ok $? "renewed files + sbcctl reload: new connections get b.test" ||
	{ diag "$T/reload.out"; diag "$T/sbc.log"; }
grep -q "tls: $T/tls/fullchain.pem read again for the WSS listeners" "$T/sbc.log"
ok $? "the reload is logged" || diag "$T/sbc.log"

deploy c && chmod 0644 "$T/tls/privkey.pem"
reload
rc=$?
[ $rc -eq 1 ] &&
	grep -q "reload refused: TLS: $T/tls/privkey.pem: private key is readable by others; chmod o-rwx it" "$T/reload.out" &&
	[ "$(served)" = b.test ]
ok $? "a world-readable renewed key: reload refused with the reason (exit 1), b.test stays" ||
	{ echo "# exit $rc"; diag "$T/reload.out"; }

deploy c && chmod 0600 "$T/tls/privkey.pem"	# root's alone
reload
rc=$?
[ $rc -eq 1 ] &&
	grep -q "reload refused: TLS: $T/tls/privkey.pem: Permission denied (the daemon runs as uid $(id -u nobody)" "$T/reload.out" &&
	[ "$(served)" = b.test ]
ok $? "a renewed key the daemon's user cannot read: reload refused, says why, b.test stays" ||
	{ echo "# exit $rc"; diag "$T/reload.out"; }

deploy c b		# c's certificate with b's key
reload
rc=$?
[ $rc -eq 1 ] && grep -q "reload refused: TLS: cannot load $T/tls/fullchain.pem" "$T/reload.out" &&
	[ "$(served)" = b.test ]
ok $? "a key that does not match the certificate: reload refused, b.test stays" ||
	{ echo "# exit $rc"; diag "$T/reload.out"; }

"$SBCCTL" -s "$T/run/sbcctl.sock" status >"$T/out" 2>&1 &&
	grep -q "^version:" "$T/out"
ok $? "the daemon still answers after refused reloads" || diag "$T/out"

deploy c
before=$(grep -c "configuration reloaded" "$T/sbc.log")
kill -HUP "$SBC_PID"
for i in $(seq 50); do
	[ "$(grep -c "configuration reloaded" "$T/sbc.log")" -gt "$before" ] && break
	sleep 0.1
done
[ "$(grep -c "configuration reloaded" "$T/sbc.log")" -gt "$before" ] &&
	[ "$(served)" = c.test ]
ok $? "SIGHUP reads the certificate again too: c.test" || diag "$T/sbc.log"

sbc_stop
ok $? "SIGTERM: clean exit, no sanitizer report (old TLS contexts freed)" ||
	diag "$T/sbc.log"
