#!/bin/bash
# cli.sh: the daemon's command line: --version, --help, --check-config on
# good and broken files (FILE:LINE: message, non-zero exit), bad options.
. "$top_srcdir/tests/system/lib.sh"
plan 8

"$SBC" --version >"$T/out" 2>&1 && grep -q "^sbc [0-9]" "$T/out"
ok $? "--version prints the version"
"$SBC" --help >"$T/out" 2>&1 && grep -q -- "--check-config" "$T/out"
ok $? "--help lists the options"
check "--check-config accepts etc/sbc.conf" \
	"$SBC" --check-config "$top_srcdir/etc/sbc.conf"
"$SBC" --print-default-config >"$T/default.conf" &&
	"$SBC" --check-config "$T/default.conf" >/dev/null
ok $? "the embedded default configuration validates"

"$SBC" --check-config "$top_srcdir/tests/data/broken.conf" >"$T/out" 2>&1
ok $(( $? == 1 ? 0 : 1 )) "--check-config on a broken file exits 1"
grep -q "broken.conf:6: 'port_min' must be an integer" "$T/out" &&
	grep -q "broken.conf:9: unknown key 'colour' in trunk" "$T/out"
ok $? "every error is reported as FILE:LINE: message" || diag "$T/out"

"$SBC" --check-config "$T/nonexistent.conf" >"$T/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "nonexistent.conf:0: cannot read the file: No such file or directory" "$T/out"
ok $? "a missing file is a clear error"
"$SBC" --no-such-option >/dev/null 2>&1
ok $(( $? == 2 ? 0 : 1 )) "an unknown option exits 2"
