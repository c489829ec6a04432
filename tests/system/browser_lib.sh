# browser_lib.sh: what the real-browser tests share (sourced after lib.sh
# and netns.sh): Chromium's writable home, the test page server in the
# browsers' namespace, and the echo PBX (echo-pbx.mjs + a SIPp UAS) in
# the PBX's namespace.  Needs PAGE_PORT, ECHO_PORT, PBX_PORT.

E2E=$top_srcdir/tests/e2e
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

# browser_setup: skip (TAP "1..0 # SKIP") when a part is missing, else
# take the one-browser lock and make the namespaces.
browser_setup() {
	local need
	for need in node sipp ss; do
		command -v $need >/dev/null 2>&1 ||
			{ echo "1..0 # SKIP no $need"; exit 0; }
	done
	[ -x "$CHROMIUM" ] || { echo "1..0 # SKIP no $CHROMIUM"; exit 0; }
	[ -d "$E2E/node_modules/playwright-core" ] &&
	    [ -d "$E2E/node_modules/sip.js" ] || { echo "1..0 # SKIP no" \
	    "playwright-core/sip.js in tests/e2e/node_modules (npm ci)"; exit 0; }
	browser_lock
	netns_up || { echo "1..0 # SKIP no network namespaces"; exit 0; }
}

# browser_env: Chromium and Playwright want a writable home and tmp.
browser_env() {
	mkdir -p "$T/home" "$T/tmp"
	export HOME=$T/home TMPDIR=$T/tmp XDG_CONFIG_HOME=$T/home/.config \
	    XDG_CACHE_HOME=$T/home/.cache
}

# wait_file_text FILE TEXT SECONDS
wait_file_text() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# page_serve: the page server in the browsers' namespace, on its loopback
# (a secure context for getUserMedia); `ip netns exec` execs, so $! is
# node itself (SERVE_PID).  0 once it serves.
page_serve() {
	ip netns exec "$NS_OUT" node "$E2E/serve.mjs" --host 127.0.0.1 \
	    --port $PAGE_PORT --lifetime 300 >"$T/serve.out" 2>&1 &
	SERVE_PID=$!
	wait_file_text "$T/serve.out" "serving" 10
}

# pbx_start NAME: echo responder + SIPp UAS for one call, in NS_IN.
pbx_start() {
	rm -f "$T/echo-$1.json"
	ip netns exec "$NS_IN" node "$top_srcdir/tests/system/echo-pbx.mjs" \
		--host "$NS_IN_IP" --port $ECHO_PORT --out "$T/echo-$1.json" \
		--lifetime 90 >"$T/echo-$1.out" 2>&1 &
	ECHO_PID=$!
	rm -rf "$T/sipp-$1" && mkdir -p "$T/sipp-$1"
	(cd "$T/sipp-$1" && exec ip netns exec "$NS_IN" timeout 60 sipp \
		-sf "$top_srcdir/tests/system/sipp/uas_echo.xml" \
		-i "$NS_IN_IP" -p $PBX_PORT -m 1 -set echo_port $ECHO_PORT \
		-timeout 55s -timeout_error -nostdin -trace_msg -trace_err \
		>"$T/sipp-$1.out" 2>&1) &
	SIPP_PID=$!
	local i
	for i in $(seq 1 50); do
		[ -s "$T/echo-$1.json" ] &&
			ip netns exec "$NS_IN" ss -Hlun "sport = :$PBX_PORT" | grep -q . &&
			return 0
		sleep 0.1
	done
	return 1
}

# pbx_stop NAME: wait up to 10 s for SIPp to end its call (after the BYE),
# then stop the echo responder.  SIPP_RC: SIPp's exit status.
pbx_stop() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$SIPP_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$SIPP_PID" 2>/dev/null
	wait "$SIPP_PID"
	SIPP_RC=$?
	kill -TERM "$ECHO_PID" 2>/dev/null
	wait "$ECHO_PID" 2>/dev/null
}

# echo_rtp NAME: RTP packets the echo PBX received in call NAME.
echo_rtp() {
	sed -n 's/.*"rtp":\([0-9]*\).*/\1/p' "$T/echo-$1.json" 2>/dev/null
}
