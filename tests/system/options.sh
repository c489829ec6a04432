#!/bin/bash
# options.sh: the daemon starts on the embedded default configuration,
# Sofia NTA answers OPTIONS over UDP and TCP with 200, and SIGTERM stops
# it cleanly (exit 0, no sanitizer report).
. "$top_srcdir/tests/system/lib.sh"
plan 5

sbc_start -S "$T/state"
ok $? "starts on the embedded default configuration"
[ -s "$T/state/sbc-key.pem" ] && [ "$(stat -c %a "$T/state/sbc-key.pem")" = 600 ]
ok $? "self-signed certificate generated, key mode 0600"
sipp_run options.xml 127.0.0.1:5060 -p 15101 && sipp_saw '^Server: sbc$'
ok $? "OPTIONS over UDP answered 200 by the SBC" || diag "$T/sipp.out"
sipp_run options.xml 127.0.0.1:5060 -p 15102 -t t1 && sipp_saw '^Server: sbc$'
ok $? "OPTIONS over TCP answered 200 by the SBC" || diag "$T/sipp.out"
sbc_stop
ok $? "SIGTERM: clean exit 0" || diag "$T/sbc.log"
