# Sourced by bar-race and bar-race-any (not a scenario itself): running
# 'ursa repro bar-race' and the checks every row of the race matrix shares.
CYCLES=2000
LIMIT=150 # seconds before timeit kills ursa (a hang)

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
# The number after NAME in TEXT.
field() {
	echo "$2" | sed -n "s/.* $1 \([0-9]*\).*/\1/p" | head -n 1
}
# run_race BDF CYCLES REPRO-OPTIONS...: sets status, out, result, host, target.
run_race() {
	dev=$1 cycles=$2
	shift 2
	timeit -k $LIMIT "$URSA" repro bar-race --vfio "$dev" --cycles "$cycles" "$@" \
		>/tmp/race.out 2>&1
	out=$(cat /tmp/race.out)
	echo "$out"
	timed=$(tail -n 1 /tmp/race.out)
	status=${timed##* }
	result=$(echo "$out" | grep '^bar-race: cycles ')
	host=$(echo "$out" | grep '^repro: host: ')
	target=$(echo "$out" | grep '^repro: target ')
}
# died BDF CRASH: the qemu order without recovery (100000 cycles) died with
# ursa's diagnosis CRASH and the device's state, status 4.
died() {
	[ "$status" = 4 ] || fail "qemu order without recovery: status $status, expected 4"
	echo "$out" | grep -q '^repro: the VM died in cycles [0-9]*\.\.[0-9]* of 100000 ' || fail "no death summary"
	echo "$out" | grep -qF "$2" || fail "qemu order without recovery: no '$2'"
	echo "$out" | grep -q 'fault recovery is off' || fail "the diagnosis does not say recovery is off"
	echo "$out" | grep -q "vfio $1: COMMAND 0x[0-9a-f]* (memory off); BAR0 " ||
		fail "the diagnosis lacks the device's state"
}
# survived WHAT: the checks every surviving row shares.
survived() {
	[ "$status" = 0 ] || fail "$1: ursa exited with status $status"
	echo "$out" | grep -q "^repro: survived $CYCLES cycles " || fail "$1: no survival summary"
	echo "$out" | grep -q "^repro: [0-9]*/$CYCLES cycles, [0-9]*/s, ur-reads " ||
		fail "$1: no progress line"
	[ "$(field cycles "$result")" = $CYCLES ] || fail "$1: not $CYCLES cycles: $result"
	[ "$(field ur-reads "$result")" -gt 0 ] || fail "$1: no all-ones read: $result"
	[ "$(field leaked-writes "$result")" = 0 ] || fail "$1: leaked writes: $result"
	[ "$(field wrong-values "$result")" = 0 ] || fail "$1: wrong values: $result"
}
# recovered COUNTER: the qemu order with recovery recovered faults.
recovered() {
	[ "$(field "$1" "$host")" -gt 0 ] || fail "qemu order with recovery: no $1: $host"
}
# no_fault: the safe order faulted not once.
no_fault() {
	[ "$(field "memory-fault exits" "$host")" = 0 ] && [ "$(field "recovered EFAULTs" "$host")" = 0 ] ||
		fail "safe order faulted: $host"
}
