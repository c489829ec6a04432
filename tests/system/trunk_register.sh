#!/bin/bash
# trunk_register.sh: the SBC registers trunks in its own name
# (signaling/trunk_reg.c, docs/trunks.md).  The daemon runs in its own
# network namespace; seven SIPp registrars in the PBX namespace, one per
# trunk, all at once:
#   md5      401 MD5 challenge, verifyauth, 200 expires=60: the refresh
#            comes ~30 s later, with credentials (nc 2); at SIGTERM an
#            unregister (Expires: 0)
#   sha      the same with SHA-256 (SIPp 3.6 cannot verify SHA-256: the
#            response is recomputed here with sha256sum)
#   brief    423 Min-Expires: 120 to Expires: 60, then 200 for 120
#   flaky    503 once, then silence: retries 5, 10, 20 s (±20 %) apart
#            after each failure (8 s without answer is one)
#   nononce, huge (10 kB nonce), algo (AKAv1-MD5)
#            challenges the SBC refuses: state failed with the reason,
#            no credentials sent, no crash
# A provider call to the registered Contact (sip:trunk-md5@...) is for its
# To user.  Stop: clean exit, sanitizers silent, unregisters sent and the
# stop not delayed by more than ~1 s.  About 55 s.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/trunk_lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for network namespaces"
	exit 0
fi
if ! command -v node >/dev/null 2>&1; then
	echo "1..0 # SKIP node is not installed (it reads sbcctl's JSON)"
	exit 0
fi
if ! netns_up 2>"$T/netns.err"; then
	echo "1..0 # SKIP cannot create network namespaces: $(head -n 1 "$T/netns.err")"
	exit 0
fi
plan 16

# ------------------------------------------------------------ registrars
BIG=$(head -c 10240 /dev/zero | tr '\0' N)
uas md5 5071 uas_trunk_registrar.xml -set algo MD5 -set auth_user md5 \
    -set auth_pass md5-secret -set expires 60 -set verify 1 &&
uas sha 5072 uas_trunk_registrar.xml -set algo SHA-256 -set auth_user sha \
    -set auth_pass sha-secret -set expires 60 -set verify 0 &&
uas brief 5073 uas_trunk_brief.xml &&
uas flaky 5074 uas_trunk_flaky.xml &&
uas nononce 5075 uas_trunk_badchallenge.xml \
    -set challenge 'Digest realm="pbx.test", algorithm=MD5, qop="auth"' &&
uas huge 5076 uas_trunk_badchallenge.xml \
    -set challenge "Digest realm=\"pbx.test\", nonce=\"$BIG\", qop=\"auth\"" &&
uas algo 5077 uas_trunk_badchallenge.xml \
    -set challenge 'Digest realm="pbx.test", nonce="abc", algorithm=AKAv1-MD5' ||
	echo "# a SIPp registrar did not start"

trunk() {	# trunk NAME PORT [KEYS]
	echo "  { name = \"$1\"; hosts = [ \"$NS_IN_IP:$2\" ]; register = true;
    username = \"$1\"; password = \"$1-secret\"; domain = \"pbx.test\";
    expires = 60; options_interval = 0; ${3:-} },"
}
TRUNKS="$(trunk md5 5071)
$(trunk sha 5072 'realm = "pbx.test";')
$(trunk brief 5073)
$(trunk flaky 5074)
$(trunk nononce 5075)
$(trunk huge 5076)
$(trunk algo 5077)"
cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers"; transport = "ws"; address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx"; transport = "udp"; address = "$NS_SBC_IN_IP"; port = 5060; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP"; };
trunks = (
${TRUNKS%,}
);
default_trunk = "md5";
domains = ( { name = "sbc.test"; } );
users = ( { name = "bob"; domain = "sbc.test"; password = "bob-secret"; } );
cli = { socket = "$T/sbcctl.sock"; };
CONF

netns_sbc_start -c "$T/sbc.conf"
ok $? "starts with 7 registering trunks" ||
	{ diag "$T/sbc.log"; echo "Bail out! the daemon did not start"; exit 1; }
START=$(date +%s)

# ------------------------------------------------------------ helpers
why() { echo "# --- $1:"; sent "$1" | sed 's/^/# sent: /' | tail -n 5
	regs "$1" | sed 's/^/# REGISTER /' | tail -n 6
	grep -F "trunk '$1'" "$T/sbc.log" | tail -n 5 | sed 's/^/# /'; }

# ------------------------------------------------------------ MD5
until_ok 10 grep -qF "trunk 'md5': registered at" "$T/sbc.log" &&
	received md5 | grep -q '^Authorization: Digest username="md5", realm="pbx.test", .*algorithm=MD5, cnonce="[0-9a-f]\{32\}", qop=auth, nc=00000001, opaque="op-1"$' &&
	[ "$(sent md5 | head -n 2 | tr '\n' '|')" = "SIP/2.0 401 Unauthorized|SIP/2.0 200 OK|" ] &&
	! sent md5 | grep -q 403
ok $? "md5: 401 answered with MD5 digest (qop=auth, nc 1, opaque) that SIPp verifies: 200" || why md5

# ------------------------------------------------------------ SHA-256
sha_ok() {
	local a user realm nonce uri cnonce nc resp ha1 ha2 want
	a=$(received sha | grep -m 1 '^Authorization: Digest ') || return 1
	get() { printf '%s\n' "$a" | sed -n "s/.*[ ,]$1=\"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\}.*/\\1/p"; }
	[ "$(get algorithm)" = SHA-256 ] && [ "$(get qop)" = auth ] || return 1
	h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
	ha1=$(h "$(get username):$(get realm):sha-secret")
	ha2=$(h "REGISTER:$(get uri)")
	want=$(h "$ha1:$(get nonce):$(get nc):$(get cnonce):auth:$ha2")
	[ "$want" = "$(get response)" ] && [ "$(get uri)" = "sip:pbx.test" ]
}
until_ok 10 grep -qF "trunk 'sha': registered at" "$T/sbc.log" && sha_ok
ok $? "sha: SHA-256 digest (the response recomputed with sha256sum) accepted: 200" || why sha

# ------------------------------------------------------------ 423
until_ok 10 grep -qF "trunk 'brief': registered at $NS_IN_IP:5073 for 120 s" "$T/sbc.log" &&
	[ "$(regs brief | awk 'NR <= 2 { printf "%s|", $3 }')" = "60|120|" ] &&
	[ "$(sent brief | head -n 2 | tr '\n' '|')" = "SIP/2.0 423 Interval Too Brief|SIP/2.0 200 OK|" ]
ok $? "brief: 423 Min-Expires: 120, asked again for 120 s: registered" || why brief

# ------------------------------------------------------------ inbound
# inbound RUSER: the provider calls sip:RUSER@<SBC> for To bob; the status.
inbound() {
	rm -rf "$T/in-$1" && mkdir -p "$T/in-$1"
	(cd "$T/in-$1" && ip netns exec "$NS_IN" timeout 20 sipp \
	    -sf "$SIPP_DIR/uac_trunk_inbound.xml" -i "$NS_IN_IP" -p 5090 -m 1 \
	    -s bob -set ruser "$1" -timeout 10s -nostdin -trace_msg \
	    "$NS_SBC_IN_IP:5060" >"$T/in-$1/sipp.out" 2>&1)
	tr -d '\r' <"$T/in-$1"/*_messages.log 2>/dev/null |
	    sed -n 's/^SIP\/2.0 \([0-9]*\) .*/\1/p' | grep -v '^100$' | head -n 1
}
s1=$(inbound trunk-md5)
s2=$(inbound trunk-nosuch)
[ "$s1" = 480 ] && [ "$s2" = 404 ]
ok $? "a provider call to our Contact user trunk-md5 is for its To user (bob, not registered: $s1; trunk-nosuch: $s2)" ||
	diag "$T/in-trunk-md5/sipp.out"

# ------------------------------------------------------------ refused challenges
refused() {	# refused TRUNK REASON
	until_ok 10 grep -qF "trunk '$1': registration failed: REGISTER to $NS_IN_IP:$2: 401 with a challenge we cannot answer: $3" "$T/sbc.log" &&
		! received "$1" | grep -q '^Authorization:' &&
		[ "$(field "$1" state)" = failed ] &&
		field "$1" last_error | grep -qF "$3"
}
refused nononce 5075 "challenge without nonce"
ok $? "nononce: refused (challenge without nonce), state failed, no credentials sent" || why nononce
refused huge 5076 "challenge value too long"
ok $? "huge: a 10 kB nonce refused (challenge value too long), state failed" || why huge
refused algo 5077 "unsupported digest algorithm"
ok $? "algo: AKAv1-MD5 refused (unsupported digest algorithm), state failed" || why algo

states=$(ctl_json | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () =>
    console.log(JSON.parse(s).map(r => r.name + "=" + r.state + "/" + r.registration).join(" ")))')
[ "$states" = "md5=up/registered sha=up/registered brief=up/registered flaky=failed/failed nononce=failed/failed huge=failed/failed algo=failed/failed" ] &&
	[ "$(field md5 expires_in)" -gt 40 ] && [ "$(field md5 registered_until)" != - ]
ok $? "sbcctl show trunks: registered ones up (with their end), the others failed" ||
	{ echo "# $states"; ctl_json | sed 's/^/# /'; }

# sbcctl trunk unregister / register: Expires: 0 to sha's registrar, then
# a new registration (challenge, 200)
n0=$(regs sha | wc -l)
ctl trunk unregister sha >"$T/ctl-unreg.out" 2>&1 &&
	until_ok 10 field_is sha registration unregistered &&
	regs sha | tail -n 1 | awk '{ exit !($3 == "0") }' &&
	ctl trunk register sha >"$T/ctl-reg.out" 2>&1 &&
	until_ok 10 field_is sha registration registered &&
	[ "$(regs sha | wc -l)" -ge $((n0 + 2)) ] &&
	! ctl trunk register nosuch >"$T/ctl-bad.out" 2>&1
ok $? "sbcctl trunk unregister sha (Expires: 0, state unregistered), trunk register sha (registered again); an unknown trunk fails" ||
	{ diag "$T/ctl-unreg.out" "$T/ctl-reg.out" "$T/ctl-bad.out"; regs sha | sed 's/^/# /'; why sha; }

# ------------------------------------------------------------ refresh, backoff
# flaky's fourth REGISTER comes 35-58 s after its first; md5 refreshes
# 30 s after its 200.
until_ok 75 nregs flaky 4
until_ok 10 nregs md5 3

iv=$(regs md5 | awk 'NR == 2 { t = $1 } NR == 3 { printf "%.3f", $1 - t }')
awk -v d="${iv:-0}" 'BEGIN { exit !(d >= 29 && d <= 31.5) }' &&
	[ "$(regs md5 | awk 'NR == 3 { print $3 $4 }')" = 601 ] &&
	received md5 | grep -q '^Authorization: .*nc=00000002'
ok $? "md5: refreshed ${iv:-?} s after the 200 for 60 s (half; credentials with nc 2)" || why md5

gaps=$(regs flaky | awk 'NR > 1 { printf "%.1f ", $1 - t } { t = $1 }')
echo "# flaky: intervals between REGISTERs: $gaps"
echo "$gaps" | awk '{ exit !($1 >= 3.5 && $1 <= 6.5 && $2 > $1 && $3 > $2) }'
ok $? "flaky: retries after 503 then silence come at growing intervals ($gaps s)" || why flaky

delays=$(grep -F "trunk 'flaky': registration failed" "$T/sbc.log" |
    sed -n 's/.*retry in \([0-9.]*\) s$/\1/p' | head -n 3 | tr '\n' ' ')
echo "# flaky: backoff delays logged: $delays"
echo "$delays" | awk '{ exit !(NF == 3 && $1 >= 4 && $1 <= 6 && $2 >= 8 && $2 <= 12 &&
    $3 >= 16 && $3 <= 24) }'
ok $? "flaky: backoff 5, 10, 20 s within ±20 % ($delays)" || why flaky

kill -0 "$SBC_PID"
ok $? "the daemon is still running after $(($(date +%s) - START)) s of refused challenges and timeouts"

# ------------------------------------------------------------ stop
sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"

unreg() { received "$1" | grep -q '^Expires: 0$' && sent "$1" | tail -n 1 | grep -q '^SIP/2.0 200'; }
stop_ms=$(awk '/sbc notice: Terminated: stopping/ { split($1, a, "T"); split(a[2], t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3] }
    /sbc notice: stopped/ { split($1, a, "T"); split(a[2], t, ":"); printf "%d", (t[1] * 3600 + t[2] * 60 + t[3] - s) * 1000 }' "$T/sbc.log")
unreg md5 && unreg sha && unreg brief && [ "$(grep -c "signaling notice: trunk '.*': unregistered" "$T/sbc.log")" -eq 4 ] &&
	[ "${stop_ms:-9999}" -le 1500 ]
ok $? "at SIGTERM md5, sha and brief unregistered (Expires: 0, 200); stop took ${stop_ms:-?} ms" ||
	{ why md5; grep -E "unregist|stopp" "$T/sbc.log" | sed 's/^/# /'; }
uas_stop_all
