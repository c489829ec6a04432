#!/bin/bash
# mib_lint.sh: docs/SBC-MIB.txt is clean SMIv2: smilint at level 6 reports
# no error and no warning (smilint exits 0 even on errors: its output is
# what counts), and net-snmp's parser resolves its names to the OIDs the
# sub-agent serves (sbc/snmp_agent.c).  The IETF base modules it imports
# (SNMPv2-SMI, -TC, -CONF) come from Debian's erlang-snmp package, the one
# package of Debian main that ships them as text (scripts/install-deps).
. "$top_srcdir/tests/system/lib.sh"

MIB=$top_srcdir/docs/SBC-MIB.txt
SMI=$(ls -d /usr/lib/erlang/lib/snmp-*/mibs 2>/dev/null | tail -n 1)
if ! command -v smilint >/dev/null 2>&1 || [ -z "$SMI" ]; then
	echo "1..0 # SKIP smilint (smitools) or the SNMPv2 base MIBs (erlang-snmp) missing: scripts/install-deps"
	exit 0
fi
plan 3

SMIPATH=$SMI smilint -l 6 -s "$MIB" >"$T/smilint.out" 2>&1
[ ! -s "$T/smilint.out" ]
ok $? "smilint -l 6 -s: no errors, no warnings" || diag "$T/smilint.out"

# net-snmp tools: their own state and config away from /var/lib/snmp, /etc.
export SNMP_PERSISTENT_DIR=$T/persist SNMPCONFPATH=$T
xlate() { snmptranslate -M "$SMI:$top_srcdir/docs" -m SBC-MIB -On "$1" 2>>"$T/tr.err"; }
[ "$(xlate SBC-MIB::sbcTrunkName)" = .1.3.6.1.4.1.99999.1.5.1.1.2 ] &&
	[ "$(xlate SBC-MIB::sbcMediaPacketsRelayed)" = .1.3.6.1.4.1.99999.1.3.1 ] &&
	[ "$(xlate SBC-MIB::sbcCertificateExpiring)" = .1.3.6.1.4.1.99999.0.5 ]
ok $? "net-snmp resolves SBC-MIB names to the served OIDs" || diag "$T/tr.err"

grep -q "99999 .*PLACEHOLDER\|PLACEHOLDER.*99999" "$MIB" &&
	grep -q "Private Enterprise Number" "$MIB"
ok $? "the placeholder enterprise number is documented in the MIB"
