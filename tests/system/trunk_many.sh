#!/bin/bash
# trunk_many.sh: 200 trunks with register = true toward one SIPp
# registrar that accepts every REGISTER (tests/system/sipp/
# uas_trunk_brief.xml: 200 for the 300 s asked for).  All 200 register
# within the test, and their first REGISTERs are spread over the start-up
# window (signaling/trunk_fsm.c: 50 ms per registering trunk, at most
# 10 s) rather than all sent in the first second; at SIGTERM all 200 are
# unregistered without holding the stop for more than ~1 s.  About 25 s.
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/netns.sh"
. "$top_srcdir/tests/system/trunk_lib.sh"

N=200
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
plan 6

uas reg 5071 uas_trunk_brief.xml || echo "# the SIPp registrar did not start"

TRUNKS=
for i in $(seq -w 1 $N); do
	TRUNKS="$TRUNKS  { name = \"t$i\"; hosts = [ \"$NS_IN_IP:5071\" ]; register = true;
    username = \"u$i\"; password = \"p$i\"; domain = \"many.test\"; expires = 300;
    options_interval = 0; },
"
done
cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers"; transport = "ws"; address = "$NS_SBC_OUT_IP"; port = 8080; },
  { name = "pbx"; transport = "udp"; address = "$NS_SBC_IN_IP"; port = 5060; }
);
media = { workers = 1; outside_address = "$NS_SBC_OUT_IP"; inside_address = "$NS_SBC_IN_IP"; };
trunks = (
${TRUNKS%,
}
);
default_trunk = "t001";
cli = { socket = "$T/sbcctl.sock"; };
CONF

netns_sbc_start -c "$T/sbc.conf"
ok $? "starts with $N registering trunks" ||
	{ diag "$T/sbc.log"; echo "Bail out! the daemon did not start"; exit 1; }
t0=$(date +%s.%N)

registered() { [ "$(grep -c "signaling info: trunk 't[0-9]*': registered at" "$T/sbc.log")" -ge $N ]; }
until_ok 25 registered
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
summary=$(ctl_json | node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const v = JSON.parse(s), up = v.filter(r => r.state === "up" && r.registration === "registered" &&
        r.expires_in > 250);
    console.log(v.length + " " + up.length) })')
[ "$summary" = "$N $N" ]
ok $? "all $N registered within ${took} s (sbcctl: $summary up and registered)" ||
	{ grep -v sofia "$T/sbc.log" | tail -n 20 | sed 's/^/# /'; }

# the first REGISTER of each trunk (its own Call-ID), seconds after the
# earliest, as a histogram per second
regs reg | awk '!first[$5]++ { print $1 }' | sort -n >"$T/firsts"
span=$(awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.1f", b - a }' "$T/firsts")
hist=$(awk 'NR == 1 { a = $1 } { h[int($1 - a)]++; m = int($1 - a) > m ? int($1 - a) : m }
    END { for (i = 0; i <= m; i++) printf "%d ", h[i] }' "$T/firsts")
echo "# first REGISTERs per second since the first one: $hist(span $span s)"
[ "$(wc -l <"$T/firsts")" -eq $N ]
ok $? "the registrar saw $N registrations (distinct Call-IDs)" || diag "$T/firsts"

echo "$hist" | awk -v n=$N -v span="$span" '{ for (i = 1; i <= NF; i++) if ($i > max) max = $i }
    END { exit !(span >= 7 && span <= 10.5 && $1 <= n / 4 && max <= n / 5) }'
ok $? "spread over ${span} s: at most a fifth of them in any second ($hist)" ||
	diag "$T/firsts"

sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"

stop_ms=$(awk '/sbc notice: Terminated: stopping/ { split($1, a, "T"); split(a[2], t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3] }
    /sbc notice: stopped/ { split($1, a, "T"); split(a[2], t, ":"); printf "%d", (t[1] * 3600 + t[2] * 60 + t[3] - s) * 1000 }' "$T/sbc.log")
unregs=$(regs reg | awk '$3 == "0"' | wc -l)
[ "$unregs" -eq $N ] && [ "${stop_ms:-9999}" -le 1500 ]
ok $? "at SIGTERM $unregs of $N unregistered; the stop took ${stop_ms:-?} ms" ||
	grep -E "unregistrations|stopp" "$T/sbc.log" | sed 's/^/# /'
uas_stop_all
