#!/bin/bash
# reload.sh: SIGHUP swaps in a new configuration snapshot (seen by the
# signaling thread: the Server header changes); a broken file is refused
# with FILE:LINE errors and the running configuration stays; with
# daemon.user set the daemon drops root after binding.
. "$top_srcdir/tests/system/lib.sh"
plan 7

write_conf() {	# write_conf USER_AGENT [EXTRA]
	cat >"$T/sbc.conf" <<CONF
daemon = { state_dir = "$T/state"; user = "nobody"; pid_file = "$T/run/sbc.pid"; };
listeners = (
  { name = "pbx"; transport = "udp"; address = "127.0.0.1"; port = 15160; }
);
media = { workers = 1; };
signaling = { user_agent = "$1"; };
${2:-}
CONF
}

# As in a real deployment: the file readable by the daemon's user (for
# reloads), the pid file in a run directory it owns.
chmod 755 "$T"
mkdir -p "$T/run" && chown nobody "$T/run"
write_conf "sbc-first"
sbc_start -c "$T/sbc.conf"
ok $? "starts with a configuration file" || diag "$T/sbc.log"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$SBC_PID/status")
[ "$uid" = "$(id -u nobody)" ] && [ "$(cat "$T/run/sbc.pid")" = "$SBC_PID" ]
ok $? "dropped root to 'nobody' after binding, pid file written"

sipp_run options.xml 127.0.0.1:15160 -p 15161 && sipp_saw '^Server: sbc-first$'
ok $? "answers with the first configuration" || diag "$T/sipp.out"

write_conf "sbc-second"
kill -HUP "$SBC_PID"
wait_log "configuration reloaded" 5 &&
	sipp_run options.xml 127.0.0.1:15160 -p 15162 &&
	sipp_saw '^Server: sbc-second$'
ok $? "SIGHUP applies the new configuration" || diag "$T/sbc.log"

write_conf "sbc-third" "bogus_key = 1;"
kill -HUP "$SBC_PID"
wait_log "reload refused" 5 && grep -q "sbc.conf:7: unknown key 'bogus_key'" "$T/sbc.log"
ok $? "a broken file is refused with FILE:LINE" || diag "$T/sbc.log"
sipp_run options.xml 127.0.0.1:15160 -p 15163 && sipp_saw '^Server: sbc-second$'
ok $? "the running configuration stays after a refused reload"

sbc_stop && [ ! -e "$T/run/sbc.pid" ]
ok $? "SIGTERM: clean exit, pid file removed" || diag "$T/sbc.log"
