#!/bin/bash
# install.sh: make install into a scratch DESTDIR, as a package build
# does: exactly the expected files land where configure said (binaries,
# man pages, sbc.conf and its sample, the MIB, the systemd unit); the unit
# carries this build's paths, passes systemd-analyze verify and keeps its
# hardening; the installed sbc runs on the installed configuration; a
# reinstall keeps an edited sbc.conf and uninstall leaves only that.
# Needs no root, network or daemon: make distcheck runs it too.
. "$top_srcdir/tests/system/lib.sh"
plan 13

D=$T/root
conf=$sysconfdir/sbc/sbc.conf
unit=
[ "$systemdsystemunitdir" != no ] && unit=$systemdsystemunitdir/sbc.service

# A make of its own: not the jobserver, variables or goals of the make
# check that runs this test.
mk() {	# mk DESTDIR TARGET [VAR=VALUE...]
	local dest=$1; shift
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    ${MAKE:-make} -s -C "$top_builddir" DESTDIR="$dest" "$@"
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }	# skip WHAT WHY
# The files (and symbolic links) under a DESTDIR, without it, sorted.
listing() { (cd "$1" 2>/dev/null && find . ! -type d | sed 's|^\.||' | sort); }

mk "$D" install >"$T/install.out" 2>&1
ok $? "make install DESTDIR=... succeeds" || diag "$T/install.out"

{
	echo "$sbindir/sbc"
	echo "$bindir/sbcctl"
	echo "$mandir/man5/sbc.conf.5"
	echo "$mandir/man8/sbc.8"
	echo "$mandir/man8/sbcctl.8"
	echo "$conf"
	echo "$conf.sample"
	echo "$datadir/snmp/mibs/SBC-MIB.txt"
	[ -n "$unit" ] && echo "$unit"
	if [ -f "$top_builddir/web/phone.js" ]; then
		for f in index.html style.css favicon.svg phone.js; do
			echo "$pkgdatadir/web/$f"
		done
	fi
} | sort >"$T/expected"
listing "$D" >"$T/installed"
diff -u "$T/expected" "$T/installed" >"$T/diff"
ok $? "exactly the expected files are installed ($(wc -l <"$T/expected") files)" ||
	diag "$T/diff"

[ -x "$D$sbindir/sbc" ] && [ -x "$D$bindir/sbcctl" ] &&
	[ "$(stat -c %a "$D$conf")" = 640 ] &&
	cmp -s "$top_srcdir/etc/sbc.conf" "$D$conf" &&
	cmp -s "$top_srcdir/etc/sbc.conf" "$D$conf.sample" &&
	cmp -s "$top_srcdir/docs/SBC-MIB.txt" "$D$datadir/snmp/mibs/SBC-MIB.txt"
ok $? "binaries executable, sbc.conf mode 0640, config, sample and MIB are the sources"

"$D$sbindir/sbc" --version >"$T/out" 2>&1 && grep -q "^sbc [0-9]" "$T/out" &&
	"$D$bindir/sbcctl" --version >>"$T/out" 2>&1 &&
	grep -q "^sbcctl [0-9]" "$T/out"
ok $? "the installed sbc and sbcctl run (--version)" || diag "$T/out"
"$D$sbindir/sbc" --check-config "$D$conf" >"$T/out" 2>&1 &&
	grep -q "configuration is valid" "$T/out"
ok $? "the installed sbc accepts the installed sbc.conf (--check-config)" ||
	diag "$T/out"

# ---- the systemd unit
if [ -z "$unit" ]; then
	for what in "unit paths" "unit hardening" "systemd-analyze verify" \
	    "systemd-analyze security"; do
		skip "$what" "configured --without-systemdsystemunitdir"
	done
else
	u=$D$unit
	grep -qx "ExecStart=$sbindir/sbc -c $conf" "$u" &&
		grep -qx "ExecReload=$bindir/sbcctl reload" "$u" &&
		! grep -n "@[a-z_]*@" "$u" >"$T/out"
	ok $? "the unit runs this build's sbc on $conf; no @placeholder@ left" ||
		{ grep -n "^Exec" "$u" | diag /dev/stdin; diag "$T/out"; }

	# The settings docs/deployment.md promises, each as written.
	missing=
	for l in Type=notify User=sbc Group=sbc \
	    AmbientCapabilities=CAP_NET_BIND_SERVICE \
	    CapabilityBoundingSet=CAP_NET_BIND_SERVICE NoNewPrivileges=yes \
	    ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
	    PrivateDevices=yes ProtectKernelTunables=yes \
	    ProtectKernelModules=yes ProtectKernelLogs=yes \
	    ProtectControlGroups=yes \
	    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" \
	    RestrictNamespaces=yes LockPersonality=yes \
	    MemoryDenyWriteExecute=yes SystemCallArchitectures=native \
	    StateDirectory=sbc RuntimeDirectory=sbc LimitNOFILE=65536 \
	    Restart=on-failure; do
		grep -qxF "$l" "$u" || missing="$missing [$l]"
	done
	[ -z "$missing" ]
	ok $? "the unit has every hardening setting${missing:+; missing:$missing}"

	# verify needs the binaries at the unit's paths and runs man(1) for
	# Documentation=: point both into DESTDIR.
	if command -v systemd-analyze >/dev/null 2>&1; then
		mkdir -p "$T/verify"
		sed -e "s|=$sbindir/|=$D$sbindir/|" -e "s|=$bindir/|=$D$bindir/|" \
		    "$u" >"$T/verify/sbc.service"
		MANPATH=$D$mandir systemd-analyze verify \
		    "$T/verify/sbc.service" >"$T/out" 2>&1
		rc=$?
		# warnings (an unknown key, say) do not change the exit code
		[ $rc -eq 0 ] && [ ! -s "$T/out" ]
		ok $? "systemd-analyze verify: no error, no warning" || diag "$T/out"
		if systemd-analyze security --help 2>&1 | grep -q -- --offline; then
			systemd-analyze security --offline=true --threshold=20 \
			    "$T/verify/sbc.service" >"$T/out" 2>&1
			ok $? "systemd-analyze security: exposure at most 2.0 ($(grep -o 'exposure level for [^:]*: [0-9.]*' "$T/out" | sed 's/.*: //'))" ||
				diag "$T/out"
		else
			skip "systemd-analyze security" "no --offline (systemd < 250)"
		fi
	else
		skip "systemd-analyze verify" "no systemd-analyze (Debian package systemd)"
		skip "systemd-analyze security" "no systemd-analyze (Debian package systemd)"
	fi
fi

# ---- reinstall and uninstall
echo "# edited by the operator" >>"$D$conf"
mk "$D" install >"$T/install.out" 2>&1 &&
	grep -q "^# edited by the operator" "$D$conf" &&
	grep -q "keeping .*sbc.conf" "$T/install.out" &&
	cmp -s "$top_srcdir/etc/sbc.conf" "$D$conf.sample"
ok $? "a reinstall keeps the edited sbc.conf and refreshes sbc.conf.sample" ||
	diag "$T/install.out"
mk "$D" uninstall >"$T/uninstall.out" 2>&1 &&
	[ "$(listing "$D")" = "$conf" ]
ok $? "uninstall removes everything but the edited sbc.conf" ||
	{ diag "$T/uninstall.out"; listing "$D" | diag /dev/stdin; }

D2=$T/root2
mk "$D2" install >"$T/install.out" 2>&1 &&
	mk "$D2" uninstall >"$T/uninstall.out" 2>&1 &&
	[ -z "$(listing "$D2")" ]
ok $? "install then uninstall of an untouched tree leaves no file" ||
	{ diag "$T/uninstall.out"; listing "$D2" | diag /dev/stdin; }

# The softphone as built (web/build.mjs) in $(pkgdatadir)/web, web.root's
# default: the installed sbc serves it from there.
if [ -f "$top_builddir/web/phone.js" ]; then
	D3=$T/root3
	mk "$D3" install >"$T/install.out" 2>&1
	rc=$?
	for f in index.html style.css favicon.svg phone.js; do
		cmp -s "$top_builddir/web/$f" "$D3$pkgdatadir/web/$f" || rc=1
	done
	[ $rc -eq 0 ]
	ok $? "the built softphone is installed in \$(pkgdatadir)/web (4 files)" ||
		{ diag "$T/install.out"; listing "$D3" | diag /dev/stdin; }
else
	skip "the built softphone is installed in \$(pkgdatadir)/web" \
	    "no softphone built (npm ci in web/)"
fi
