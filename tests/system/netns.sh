# netns.sh: network namespaces for system tests that need the SBC between
# two networks (sourced after lib.sh).  netns_up builds three namespaces
# joined by two veth pairs:
#
#   NS_OUT (browsers)          NS_SBC (the daemon)          NS_IN (PBX)
#   10.201.1.2/24 ──veth── 10.201.1.1/24 · 10.201.2.1/24 ──veth── 10.201.2.2/24
#
# Names derive from $$, so tests running in parallel never meet and can all
# use the same addresses.  Nothing is routed between 10.201.1.0/24 and
# 10.201.2.0/24 (no default routes, no forwarding): only the SBC joins them.
# lib.sh's EXIT trap is wrapped so the processes left in the namespaces are
# killed and the namespaces deleted.
#
#   netns_up || { echo "1..0 # SKIP no network namespaces"; exit 0; }
#   in_sbc CMD...  in_out CMD...  in_in CMD...     (ip netns exec)
#   netns_sbc_start ARGS...   sbc_start, with the daemon in NS_SBC

NS_SBC="s$$sbc"
NS_OUT="s$$out"
NS_IN="s$$in"
NS_SBC_OUT_IP=10.201.1.1	# SBC, browser side
NS_OUT_IP=10.201.1.2		# browsers
NS_SBC_IN_IP=10.201.2.1		# SBC, PBX side
NS_IN_IP=10.201.2.2		# PBX
NETNS_MADE=

in_sbc() { ip netns exec "$NS_SBC" "$@"; }
in_out() { ip netns exec "$NS_OUT" "$@"; }
in_in() { ip netns exec "$NS_IN" "$@"; }

# netns_up: 0 when the three namespaces are ready; 1 (with a message on
# stderr) when they cannot be made, e.g. without CAP_NET_ADMIN.
netns_up() {
	local ns
	command -v ip >/dev/null 2>&1 || { echo "netns: no ip(8)" >&2; return 1; }
	for ns in "$NS_SBC" "$NS_OUT" "$NS_IN"; do
		ip netns add "$ns" || { netns_down; return 1; }
		NETNS_MADE="$NETNS_MADE $ns"
		ip -n "$ns" link set lo up || { netns_down; return 1; }
	done
	# Interface names (<= 15 characters): v<pid><here><there>.
	ip link add "v$$so" netns "$NS_SBC" type veth peer name "v$$os" netns "$NS_OUT" &&
	ip link add "v$$si" netns "$NS_SBC" type veth peer name "v$$is" netns "$NS_IN" &&
	ip -n "$NS_SBC" addr add "$NS_SBC_OUT_IP/24" dev "v$$so" &&
	ip -n "$NS_OUT" addr add "$NS_OUT_IP/24" dev "v$$os" &&
	ip -n "$NS_SBC" addr add "$NS_SBC_IN_IP/24" dev "v$$si" &&
	ip -n "$NS_IN" addr add "$NS_IN_IP/24" dev "v$$is" &&
	ip -n "$NS_SBC" link set "v$$so" up &&
	ip -n "$NS_SBC" link set "v$$si" up &&
	ip -n "$NS_OUT" link set "v$$os" up &&
	ip -n "$NS_IN" link set "v$$is" up &&
	netns_wait_up || { netns_down; return 1; }
}

# IPv4 addresses are usable at once; the veth pairs carry traffic once
# both ends report LOWER_UP.  Wait for that (no ping: not always installed).
netns_wait_up() {
	local i
	for i in $(seq 1 50); do
		ip -n "$NS_SBC" link show "v$$so" | grep -q LOWER_UP &&
			ip -n "$NS_SBC" link show "v$$si" | grep -q LOWER_UP &&
			ip -n "$NS_OUT" link show "v$$os" | grep -q LOWER_UP &&
			ip -n "$NS_IN" link show "v$$is" | grep -q LOWER_UP &&
			return 0
		sleep 0.1
	done
	echo "netns: links did not come up" >&2
	return 1
}

# netns_down: kill every process left in our namespaces, delete them.
netns_down() {
	local ns pids i
	for ns in $NETNS_MADE; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	for ns in $NETNS_MADE; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
			sleep 0.1
		done
		ip netns del "$ns" 2>/dev/null	# its veth ends go with it
	done
	NETNS_MADE=
}

# netns_sbc_start ARGS...: lib.sh's sbc_start with the daemon in NS_SBC.
# ip netns exec execs the daemon, so SBC_PID is the daemon's pid.
netns_sbc_start() {
	local real=$SBC rc
	cat >"$T/sbc-in-netns" <<EOF
#!/bin/sh
exec ip netns exec "$NS_SBC" "$real" "\$@"
EOF
	chmod +x "$T/sbc-in-netns"
	SBC=$T/sbc-in-netns
	sbc_start "$@"
	rc=$?
	SBC=$real
	return $rc
}

# Wrap (not replace) lib.sh's cleanup: namespaces first, then the rest.
eval "netns_lib_cleanup() $(declare -f cleanup | tail -n +2)"
cleanup() {
	netns_down
	netns_lib_cleanup
}
