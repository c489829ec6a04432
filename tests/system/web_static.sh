#!/bin/bash
# web_static.sh: static files on the WebSocket listeners (web.*), with curl
# against the real daemon on a ws (http) and a wss (https, self-signed:
# curl -k) listener, from a web root the test makes:
#   index.html served as text/html with the CSP, nosniff, X-Frame-Options,
#   Referrer-Policy and Cache-Control headers; HSTS on https only; app.js as
#   text/javascript; HEAD gives the headers and no body; POST 405 with
#   Allow; a Host not in policy.allowed_hosts 403.
#   Never a file from outside the root: /../etc/passwd,
#   /%2e%2e/%2e%2e/etc/passwd, /..%2fsbc.conf (400), a symbolic link to a
#   file and to a directory outside (404), a dotfile (404), a directory
#   without index.html (404, no listing).
#   SIP OPTIONS over WebSocket on the same ports still answered 200.
#   sbcctl show stats counts served and refused requests.  A reload reads
#   the root again (a new file is served); a reload to a missing root logs a
#   notice and gives 404; web.enabled = false gives 426 and no file.
# Runs on loopback, on free ports.
. "$top_srcdir/tests/system/lib.sh"

if ! command -v curl >/dev/null 2>&1; then
	echo "1..0 # SKIP curl is not installed"
	exit 0
fi
plan 27

WS_PORT=$(free_port 1)
WSS_PORT=$(free_port 2)
UDP_PORT=$(free_port 3)
[ "$WSS_PORT" = "$WS_PORT" ] && WSS_PORT=$((WS_PORT + 1))
[ "$UDP_PORT" = "$WS_PORT" ] || [ "$UDP_PORT" = "$WSS_PORT" ] &&
	UDP_PORT=$((WSS_PORT + 1))
HTTP=http://127.0.0.1:$WS_PORT
HTTPS=https://127.0.0.1:$WSS_PORT
CTL=${SBCCTL:-$top_builddir/sbc/sbcctl}

# The web root, and what lies outside it.
W=$T/web
mkdir -p "$W/sub" "$W/.git" "$T/outside"
echo "<!doctype html><title>softphone</title>WEB-INDEX-MARKER" >"$W/index.html"
echo "export const WEB_JS_MARKER = 1;" >"$W/app.js"
echo "body{}" >"$W/sub/style.css"
echo "DOTFILE-MARKER" >"$W/.hidden"
echo "DOTFILE-MARKER" >"$W/.git/config"
echo "TOP-SECRET-MARKER" >"$T/secret.txt"
echo "OUTSIDE-MARKER" >"$T/outside/index.html"
ln -s "$T/secret.txt" "$W/link.html"
ln -s "$T/outside" "$W/linkdir"

# conf WEB-SECTION: the daemon's configuration.
conf() {
	cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; };
log = { level = "info"; };
listeners = (
  { name = "browsers-ws"; transport = "ws"; address = "127.0.0.1"; port = $WS_PORT; },
  { name = "browsers-wss"; transport = "wss"; address = "127.0.0.1"; port = $WSS_PORT; },
  { name = "pbx-udp"; transport = "udp"; address = "127.0.0.1"; port = $UDP_PORT; }
);
media = { workers = 1; port_min = $((WS_PORT + 3)); port_max = $((WS_PORT + 42));
          outside_address = "127.0.0.1"; inside_address = "127.0.0.1"; };
trunks = (
  { name = "pbx"; hosts = [ "127.0.0.1:9" ]; transport = "udp"; options_interval = 0; }
);
default_trunk = "pbx";
policy = { allowed_hosts = [ "127.0.0.1" ]; };
cli = { socket = "$T/ctl.sock"; };
$1
CONF
}
conf "web = { enabled = true; root = \"$W\"; };"

# get NAME URL [CURL-ARGS]: status in $T/NAME.s, headers (CR removed) in
# $T/NAME.h, body in $T/NAME.b.  The path is sent as written.
get() {
	local name=$1 url=$2; shift 2
	curl -sk --path-as-is --max-time 5 -o "$T/$name.b" -D "$T/$name.hr" \
	    -w '%{http_code}' "$@" "$url" >"$T/$name.s" 2>"$T/$name.err"
	tr -d '\r' <"$T/$name.hr" >"$T/$name.h"
}
status() { cat "$T/$1.s"; }
has() { grep -qi -- "$2" "$T/$1.h"; }	# has NAME REGEXP: a header line
body_has() { grep -q -- "$2" "$T/$1.b"; }
explain() { echo "# status $(status "$1")"; diag "$T/$1.h" "$T/$1.err"; }

# refused NAME URL MARKER STATUS...: one of the statuses, never the marker.
refused() {
	local name=$1 url=$2 marker=$3 s; shift 3
	get "$name" "$url"
	body_has "$name" "$marker" && return 1
	for s in "$@"; do
		[ "$(status "$name")" = "$s" ] && return 0
	done
	return 1
}

# wsraw CASE URL: a SIP OPTIONS over WebSocket (tests/e2e/ws-raw.mjs).
wsraw() {
	timeout 20 node "$top_srcdir/tests/e2e/ws-raw.mjs" --url "$2" \
	    --case "$1" --timeout 10 >"$T/raw.out" 2>&1
}
skip_or() {	# skip_or DESCRIPTION COMMAND...: a SKIP when node is missing
	if ! command -v node >/dev/null 2>&1; then
		n=$((n + 1))
		echo "ok $n - $1 # SKIP node is not installed"
		return 0
	fi
	local what=$1; shift
	"$@"
	ok $? "$what" || diag "$T/raw.out"
}

reloads=0
reload() {	# reload: SIGHUP, wait for the next "configuration reloaded"
	local i=0
	reloads=$((reloads + 1))
	kill -HUP "$SBC_PID"
	while [ "$(grep -c "configuration reloaded" "$T/sbc.log")" -lt "$reloads" ]; do
		[ $i -ge 50 ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

sbc_start -c "$T/sbc.conf"
ok $? "starts with ws on $WS_PORT and wss on $WSS_PORT" || diag "$T/sbc.log"

get index "$HTTP/"
[ "$(status index)" = 200 ] && has index '^Content-Type: text/html; charset=utf-8$' &&
	body_has index WEB-INDEX-MARKER &&
	has index "^Content-Length: $(stat -c %s "$W/index.html")$" &&
	has index '^Connection: close$'
ok $? "http GET /: index.html as text/html, Content-Length, Connection: close" || explain index

has index "^Content-Security-Policy: default-src 'self'; connect-src 'self' wss://127.0.0.1:$WS_PORT ws://127.0.0.1:$WS_PORT; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" &&
	has index '^X-Content-Type-Options: nosniff$' &&
	has index '^X-Frame-Options: DENY$' &&
	has index '^Referrer-Policy: no-referrer$' &&
	has index '^Cache-Control: no-cache$'
ok $? "http: CSP, nosniff, X-Frame-Options, Referrer-Policy, Cache-Control" || explain index

! has index '^Strict-Transport-Security'
ok $? "http: no Strict-Transport-Security" || explain index

get tls "$HTTPS/"
[ "$(status tls)" = 200 ] && body_has tls WEB-INDEX-MARKER &&
	has tls '^Strict-Transport-Security: max-age=31536000$' &&
	has tls "^Content-Security-Policy: default-src 'self'; connect-src 'self' wss://127.0.0.1:$WSS_PORT" &&
	has tls '^X-Content-Type-Options: nosniff$'
ok $? "https GET / (self-signed): index.html with HSTS and the CSP" || explain tls

get js "$HTTPS/app.js?v=1"
[ "$(status js)" = 200 ] && has js '^Content-Type: text/javascript; charset=utf-8$' &&
	body_has js WEB_JS_MARKER
ok $? "GET /app.js?v=1: text/javascript, the query ignored" || explain js

get css "$HTTP/sub/style.css"
[ "$(status css)" = 200 ] && has css '^Content-Type: text/css; charset=utf-8$'
ok $? "GET /sub/style.css: text/css" || explain css

# raw_head: HEAD / on a plain socket, everything the server sends until
# it closes, in $T/rawhead.
raw_head() {
	exec 3<>"/dev/tcp/127.0.0.1/$WS_PORT" || return 1
	printf 'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >&3
	timeout 5 cat <&3 >"$T/rawhead"
	exec 3<&-
}
get head "$HTTP/" -I
[ "$(status head)" = 200 ] &&
	has head "^Content-Length: $(stat -c %s "$W/index.html")$" &&
	has head '^Content-Type: text/html' && raw_head &&
	[ "$(tail -c 4 "$T/rawhead" | od -An -tx1 | tr -d ' ')" = 0d0a0d0a ] &&
	! grep -q WEB-INDEX-MARKER "$T/rawhead"
ok $? "HEAD /: the headers, Content-Length of the file, no body" || { explain head; diag "$T/rawhead"; }

refused dotdot "$HTTP/../etc/passwd" "root:" 400 404
ok $? "/../etc/passwd: 400/404, never the file" || explain dotdot

refused encdot "$HTTPS/%2e%2e/%2e%2e/etc/passwd" "root:" 400
ok $? "/%2e%2e/%2e%2e/etc/passwd: 400" || explain encdot

refused encslash "$HTTP/..%2fsbc.conf" "listeners" 400
ok $? "/..%2fsbc.conf: 400" || explain encslash

refused backslash "$HTTP/..%5csbc.conf" "listeners" 400
ok $? "/..%5csbc.conf (encoded backslash): 400" || explain backslash

refused link "$HTTP/link.html" TOP-SECRET-MARKER 404 &&
	refused linkdir "$HTTP/linkdir/" OUTSIDE-MARKER 404 &&
	grep -q "link.html: a symbolic link, not served" "$T/sbc.log"
ok $? "symbolic links to a file and a directory outside the root: 404" || explain link

refused dotfile "$HTTP/.hidden" DOTFILE-MARKER 404 &&
	refused dotgit "$HTTP/.git/config" DOTFILE-MARKER 404
ok $? "dotfiles (/.hidden, /.git/config): 404" || explain dotfile

refused listing "$HTTP/sub/" "style.css" 404 && refused nodir "$HTTP/sub" "style.css" 404
ok $? "a directory without index.html: 404, no listing" || explain listing

get post "$HTTP/" -X POST
[ "$(status post)" = 405 ] && has post '^Allow: GET, HEAD$' &&
	! body_has post WEB-INDEX-MARKER
ok $? "POST /: 405 with Allow: GET, HEAD" || explain post

get host "$HTTP/" -H "Host: evil.example"
[ "$(status host)" = 403 ] && ! body_has host WEB-INDEX-MARKER
ok $? "a Host not in policy.allowed_hosts: 403" || explain host

skip_or "SIP OPTIONS over ws on the same port: 200" \
	wsraw options "ws://127.0.0.1:$WS_PORT"
skip_or "SIP OPTIONS over wss on the same port: 200" \
	wsraw options "wss://127.0.0.1:$WSS_PORT"

"$CTL" -s "$T/ctl.sock" show stats >"$T/stats" 2>&1 &&
	served=$(sed -n 's/^web_served: *//p' "$T/stats") &&
	refusedn=$(sed -n 's/^web_refused: *//p' "$T/stats") &&
	[ "${served:-0}" -ge 5 ] && [ "${refusedn:-0}" -ge 12 ]
ok $? "sbcctl show stats: web_served ($served) and web_refused ($refusedn)" || diag "$T/stats"

echo "<p>NEW-FILE-MARKER</p>" >"$W/new.html"
get before "$HTTP/new.html"
reload && get new "$HTTP/new.html"
[ "$(status before)" = 404 ] && [ "$(status new)" = 200 ] && body_has new NEW-FILE-MARKER
ok $? "a reload reads the root again: a new file is served" || diag "$T/sbc.log"

conf "web = { enabled = true; root = \"$T/nope\"; };"
reload && get missing "$HTTP/"
[ "$(status missing)" = 404 ] && ! body_has missing WEB-INDEX-MARKER &&
	grep -q "notice: web: root $T/nope does not exist" "$T/sbc.log"
ok $? "a missing root: a notice, then 404" || { explain missing; diag "$T/sbc.log"; }

conf "web = { enabled = false; root = \"$W\"; };"
reload && get off "$HTTP/"
[ "$(status off)" = 426 ] && [ ! -s "$T/off.b" ]
ok $? "web.enabled = false: 426 and no file, as without web" || explain off

get offhttps "$HTTPS/index.html"
[ "$(status offhttps)" = 426 ] && ! body_has offhttps WEB-INDEX-MARKER
ok $? "web.enabled = false on https too" || explain offhttps

skip_or "SIP OPTIONS over ws still 200 after the reloads" \
	wsraw options "ws://127.0.0.1:$WS_PORT"

kill -0 "$SBC_PID" 2>/dev/null
ok $? "the daemon is still running" || diag "$T/sbc.log"
sbc_stop
ok $? "SIGTERM: clean exit 0, no sanitizer report" || diag "$T/sbc.log"
