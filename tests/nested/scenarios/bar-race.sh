# The race ursa exists for (issue 6's matrix), with 'ursa repro bar-race' on
# a passed-through edu: the bar-race stub's vCPU 0 turns the device's memory decoding off and on
# through 0xCF8/0xCFC while vCPU 1 reads BAR 0 and writes it in each window
# with decoding off.
#   bar-order=qemu, no recovery: the VM dies with EFAULT and ursa's
#     diagnosis (stock: no gpa; patched: KVM_EXIT_MEMORY_FAULT in BAR 0):
#     the production crash, reproduced.
#   bar-order=qemu, recovery on: survives; stock recovers bare EFAULTs,
#     patched recovers memory-fault exits.
#   bar-order=safe (ursa's): survives with no fault at all.
# Surviving runs: no wrong value, no leaked write, some all-ones reads.
# repro's exit status and summary are checked along with the stub's report,
# and its progress line (every 5 s when not on a terminal) must show.
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
# run_race CYCLES REPRO-OPTIONS...: sets status, out, result, host.
run_race() {
	cycles=$1
	shift
	timeit -k $LIMIT "$URSA" repro bar-race --vfio "$bdf" --cycles "$cycles" "$@" \
		>/tmp/race.out 2>&1
	out=$(cat /tmp/race.out)
	echo "$out"
	timed=$(tail -n 1 /tmp/race.out)
	status=${timed##* }
	result=$(echo "$out" | grep '^bar-race: cycles ')
	host=$(echo "$out" | grep '^repro: host: ')
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

edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}
case $nested_flavour in
stock)
	crash='KVM_RUN: Bad address (EFAULT) with no memory-fault information'
	counter='recovered EFAULTs' ;;
patched)
	crash='KVM_EXIT_MEMORY_FAULT gpa=0xc00'
	counter='memory-fault exits' ;;
esac

# Many more cycles than it takes: the crash comes within a few hundred.
run_race 100000 --order qemu --no-recover
[ "$status" = 4 ] || fail "qemu order without recovery: status $status, expected 4"
echo "$out" | grep -q '^repro: the VM died in cycles [0-9]*\.\.[0-9]* of 100000 ' || fail "no death summary"
echo "$out" | grep -qF "$crash" || fail "qemu order without recovery: no '$crash'"
echo "$out" | grep -q 'fault recovery is off' || fail "the diagnosis does not say recovery is off"
echo "$out" | grep -q "vfio $bdf: COMMAND 0x[0-9a-f]* (memory off); BAR0 " ||
	fail "the diagnosis lacks the device's state"

run_race $CYCLES --order qemu
survived "qemu order with recovery"
[ "$(field "$counter" "$host")" -gt 0 ] || fail "qemu order with recovery: no $counter: $host"

run_race $CYCLES
survived "safe order"
[ "$(field "memory-fault exits" "$host")" = 0 ] && [ "$(field "recovered EFAULTs" "$host")" = 0 ] ||
	fail "safe order faulted: $host"
echo "NESTED-RESULT: PASS"
