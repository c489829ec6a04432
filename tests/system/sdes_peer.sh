#!/bin/bash
# sdes_peer.sh: glue between SIPp and tests/system/sdes-peer (a real
# SDES-SRTP endpoint: SIPp cannot decrypt), and, run as a test, the
# peer's own check.
#
# Sourced (after lib.sh) by a system test whose PBX speaks SDES-SRTP, it
# gives the helpers below.  The flow of one call (the SBC offers):
#
#   sdes_peer_start DIR ADDR PORT SUITES SECONDS [WRAPPER...]
#       the peer binds ADDR:PORT (RTP) and PORT+1 (RTCP) and waits for
#       DIR/sdes-offer.sdp; WRAPPER runs it, e.g. ip netns exec "$NS_IN".
#   sipp -sf tests/system/sipp/uas_sdes.xml -set sdes_dir DIR ...
#       on the INVITE, SIPp copies the SDP body into DIR/sdes-offer.sdp;
#       the peer picks a crypto line in SUITES order (same tag), makes its
#       key and writes DIR/sdes-answer.sdp; SIPp's 200 carries that file.
#   media: the peer echoes what it decrypts, re-protected, to the SBC
#       (and sends SRTCP RRs) for SECONDS or until sdes_peer_stop.
#   sdes_peer_stop DIR; sdes_peer_json DIR KEY
#       received_ok, auth_failures, replay_failures, sent,
#       rtcp_received_ok, rtcp_sent, tag (numbers) from its JSON line;
#       sdes_peer_suite DIR: the suite it used.
#
# Run as a test (TAP; needs $top_builddir, $top_srcdir): two peers on
# loopback, one offering (and generating 50 packets/s), one answering
# (echoing), with mirrored keys: every suite, a multi-suite offer answered
# in the answerer's order with the offer's tag, a tampered key (auth
# failures, nothing accepted), an offer with only MKI lines (refused), and
# the SIPp glue itself: uas_sdes.xml with a scratch SIPp UAC carrying the
# offering peer's SDP.
SDES_PEER=${SDES_PEER:-${top_builddir:-.}/tests/system/sdes-peer}
SDES_PEER_PID=

sdes_peer_start() {
	local dir=$1 addr=$2 port=$3 suites=$4 secs=$5
	shift 5
	rm -f "$dir/sdes-offer.sdp" "$dir/sdes-answer.sdp" "$dir/sdes-peer.out"
	"$@" "$SDES_PEER" -l "$addr" -p "$port" -s "$suites" -t "$secs" \
		-w 60 -i "$dir/sdes-offer.sdp" -o "$dir/sdes-answer.sdp" \
		>"$dir/sdes-peer.out" 2>"$dir/sdes-peer.err" &
	SDES_PEER_PID=$!
}

# sdes_peer_stop DIR: SIGTERM (the peer then prints its JSON), wait.
sdes_peer_stop() {
	[ -n "$SDES_PEER_PID" ] || return 0
	kill -TERM "$SDES_PEER_PID" 2>/dev/null
	wait "$SDES_PEER_PID"
	SDES_PEER_PID=
}

# sdes_peer_json DIR|FILE KEY: a number from the peer's last line.
sdes_peer_json() {
	local f=$1
	[ -d "$f" ] && f=$f/sdes-peer.out
	tail -n 1 "$f" 2>/dev/null | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

sdes_peer_suite() {
	local f=$1
	[ -d "$f" ] && f=$f/sdes-peer.out
	tail -n 1 "$f" 2>/dev/null | sed -n 's/.*"suite":"\([A-Z0-9_]*\)".*/\1/p'
}

# Sourced: the helpers only.
[ "${BASH_SOURCE[0]}" != "$0" ] && return 0

. "$top_srcdir/tests/system/lib.sh"

ALL=AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM,AEAD_AES_256_GCM,AES_256_CM_HMAC_SHA1_80
[ -x "$SDES_PEER" ] || { echo "1..0 # SKIP no $SDES_PEER"; exit 0; }
plan 9

wait_file() {	# wait_file FILE SECONDS
	local i
	for i in $(seq 1 $(($2 * 20))); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Change the first character of every inline key: a key of the right
# length that is not the sender's.
tamper() {
	sed -e 's/inline:A/inline:#/' -e 's/inline:[^#]/inline:A/' \
	    -e 's/inline:#/inline:B/' "$1" >"$2.tmp" && mv "$2.tmp" "$2"
}

# pair DIR OFFER-SUITES ANSWER-SUITES [tamper]: offerer A (-g, 2 s) and
# answerer B (echo, stopped once A is done); A writes a.sdp, B reads it
# (or a tampered copy) and writes b.sdp, which A reads.
pair() {
	local d=$1 bin=$1/a.sdp apid bpid
	mkdir -p "$d"
	"$SDES_PEER" -O -g -s "$2" -t 2 -w 10 -i "$d/b.sdp" -o "$d/a.sdp" \
		>"$d/a.out" 2>&1 &
	apid=$!
	if [ "${4:-}" = tamper ]; then
		bin=$d/a-tampered.sdp
		wait_file "$d/a.sdp" 10 && tamper "$d/a.sdp" "$bin"
	fi
	"$SDES_PEER" -s "$3" -t 30 -w 10 -i "$bin" -o "$d/b.sdp" \
		>"$d/b.out" 2>&1 &
	bpid=$!
	wait $apid
	sleep 0.2	# the last echoes
	kill -TERM $bpid 2>/dev/null
	wait $bpid
}

# fields FILE: "suite tag received_ok auth_failures sent rtcp_received_ok"
# from the peer's JSON line, "-" for what is missing.
fields() {
	tail -n 1 "$1" 2>/dev/null | sed -n 's/^{"suite":"\([A-Z0-9_]*\)","tag":\([0-9]*\),"received_ok":\([0-9]*\),"auth_failures":\([0-9]*\),.*"sent":\([0-9]*\),"rtcp_received_ok":\([0-9]*\),.*/\1 \2 \3 \4 \5 \6/p' |
		grep . || echo "- - - - - -"
}

# flows DIR SUITE TAG: both ways decrypted (the answerer got all the
# offerer sent, the offerer 90 % of the echoes back), no authentication
# failure, SRTCP both ways, both sides on SUITE with the same TAG.
flows() {
	local as at arx aauth asent artcp bs bt brx bauth bsent brtcp
	read -r as at arx aauth asent artcp <<<"$(fields "$1/a.out")"
	read -r bs bt brx bauth bsent brtcp <<<"$(fields "$1/b.out")"
	[ "$as" = "$2" ] && [ "$bs" = "$2" ] && [ "$at" = "$3" ] &&
	[ "$bt" = "$3" ] && [ "$aauth" = 0 ] && [ "$bauth" = 0 ] &&
	[ "$asent" -ge 80 ] && [ "$brx" -ge "$asent" ] &&
	[ "$arx" -ge $((asent * 9 / 10)) ] && [ "$bsent" -ge "$arx" ] &&
	[ "$artcp" -ge 1 ] && [ "$brtcp" -ge 1 ] && return 0
	diag "$1/a.out" "$1/b.out"
	return 1
}

for s in ${ALL//,/ }; do	# in parallel: each pair on its own ports
	pair "$T/$s" "$s" "$s" &
done
wait
for s in ${ALL//,/ }; do
	flows "$T/$s" "$s" 1
	ok $? "$s: SRTP and SRTCP both ways, mirrored keys"
done

# A offers its default four lines (80, AEAD 256, AEAD 128, AES 256: tags
# 1..4); B prefers AEAD_AES_256_GCM: tag 2, not the offer's first.
pair "$T/order" AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM,AEAD_AES_128_GCM,AES_256_CM_HMAC_SHA1_80 \
	AEAD_AES_256_GCM,AES_CM_128_HMAC_SHA1_80
flows "$T/order" AEAD_AES_256_GCM 2
ok $? "answerer's order, the offer's tag (2 of 4)"

pair "$T/tamper" AES_CM_128_HMAC_SHA1_80 AES_CM_128_HMAC_SHA1_80 tamper
read -r as at arx aauth asent artcp <<<"$(fields "$T/tamper/a.out")"
read -r bs bt brx bauth bsent brtcp <<<"$(fields "$T/tamper/b.out")"
[ "$brx" = 0 ] && [ "$brtcp" = 0 ] && [ "$asent" -ge 80 ] &&
	[ "$bauth" -ge "$asent" ] && [ "$arx" = 0 ]
ok $? "a wrong key: every packet fails authentication, none accepted" ||
	diag "$T/tamper/a.out" "$T/tamper/b.out"

d=$T/mki && mkdir -p "$d"
printf 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n' >"$d/offer.sdp"
"$SDES_PEER" -t 1 -w 1 -i "$d/offer.sdp" -o "$d/answer.sdp" >"$d/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '"error":"MKI not supported"' "$d/out" &&
	[ ! -e "$d/answer.sdp" ]
ok $? "an offer with only an MKI line is refused, no answer" || diag "$d/out"

# ---------------------------------------------------------- SIPp glue
if ! command -v sipp >/dev/null 2>&1; then
	echo "ok 9 # SKIP no sipp"
	exit 0
fi
d=$T/glue && mkdir -p "$d"
UAS_PORT=$((42000 + ($$ % 1000) * 2))
UAC_PORT=$((UAS_PORT + 1))
# The UAC (sipp/uac_sdes.xml) carries the offering peer's SDP and hands
# the 200's SDP back to it the way uas_sdes.xml hands the offer to its peer.
# B, the PBX's media: default order (80, AEAD 256, AEAD 128, ...); A
# offers 32 then AEAD 128: B must answer tag 2.
sdes_peer_start "$d" 127.0.0.1 0 \
	AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM,AEAD_AES_128_GCM,AES_256_CM_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32 30
"$SDES_PEER" -O -g -s AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM -t 2 -w 20 \
	-i "$d/b.sdp" -o "$d/a.sdp" >"$d/a.out" 2>&1 &
APID=$!
wait_file "$d/a.sdp" 10
(cd "$d" && exec timeout 30 sipp -sf "$top_srcdir/tests/system/sipp/uas_sdes.xml" \
	-set sdes_dir "$d" -i 127.0.0.1 -p $UAS_PORT -m 1 -nostdin \
	-timeout 25s -timeout_error -trace_msg -trace_err >"$d/uas.out" 2>&1) &
UAS_PID=$!
sleep 0.5
(cd "$d" && exec timeout 30 sipp -sf "$top_srcdir/tests/system/sipp/uac_sdes.xml" \
	-s sdes -set domain 127.0.0.1 -set sdes_dir "$d" -d 3500 \
	-i 127.0.0.1 -p $UAC_PORT -m 1 -nostdin -timeout 25s -timeout_error \
	-trace_msg -trace_err 127.0.0.1:$UAS_PORT >"$d/uac.out" 2>&1)
UAC_RC=$?
wait $UAS_PID
UAS_RC=$?
wait $APID
sdes_peer_stop "$d"
cp "$d/sdes-peer.out" "$d/b.out"
[ $UAC_RC = 0 ] && [ $UAS_RC = 0 ] && flows "$d" AEAD_AES_128_GCM 2
ok $? "uas_sdes.xml: SIPp hands the offer to the peer and sends its answer" ||
	{ echo "# uac rc $UAC_RC uas rc $UAS_RC"; diag "$d/uas.out"; }
