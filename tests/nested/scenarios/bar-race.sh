# The race ursa exists for (issue 6's matrix), on a passed-through edu with
# the bar-race stub: vCPU 0 turns the device's memory decoding off and on
# through 0xCF8/0xCFC while vCPU 1 reads BAR 0 and writes it in each window
# with decoding off.
#   bar-order=qemu, no recovery: the VM dies with EFAULT and ursa's
#     diagnosis (stock: no gpa; patched: KVM_EXIT_MEMORY_FAULT in BAR 0):
#     the production crash, reproduced.
#   bar-order=qemu, recovery on: survives; stock recovers bare EFAULTs,
#     patched recovers memory-fault exits.
#   bar-order=safe (ursa's): survives with no fault at all.
# Surviving runs: no wrong value, no leaked write, some all-ones reads.
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
# run_race CYCLES URSA-RUN-OPTIONS...: sets status, out, result, stats.
run_race() {
	cycles=$1
	shift
	timeit -k $LIMIT "$URSA" run --stub bar-race --cpus 2 --stats \
		--append "cycles=$cycles progress=500" "$@" >/tmp/race.out 2>&1
	out=$(cat /tmp/race.out)
	echo "$out" | grep -v progress
	timed=$(tail -n 1 /tmp/race.out)
	status=${timed##* }
	result=$(echo "$out" | grep '^bar-race: cycles ')
	stats=$(echo "$out" | grep 'stats: memory-fault-exits')
}
# survived WHAT: the checks every surviving row shares.
survived() {
	[ "$status" = 0 ] || fail "$1: ursa exited with status $status"
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
	counter=recovered-efaults ;;
patched)
	crash='KVM_EXIT_MEMORY_FAULT gpa=0xc00'
	counter=memory-fault-exits ;;
esac

# Many more cycles than it takes: the crash comes within a few hundred.
run_race 100000 --vfio "$bdf,bar-order=qemu" --no-fault-recovery
[ "$status" = 4 ] || fail "qemu order without recovery: status $status, expected 4"
echo "$out" | grep -qF "$crash" || fail "qemu order without recovery: no '$crash'"
echo "$out" | grep -q 'fault recovery is off' || fail "the diagnosis does not say recovery is off"
echo "$out" | grep -q "vfio $bdf: COMMAND 0x[0-9a-f]* (memory off); BAR0 " ||
	fail "the diagnosis lacks the device's state"

run_race $CYCLES --vfio "$bdf,bar-order=qemu"
survived "qemu order with recovery"
[ "$(field $counter "$stats")" -gt 0 ] || fail "qemu order with recovery: no $counter: $stats"

run_race $CYCLES --vfio "$bdf"
survived "safe order"
[ "$(field memory-fault-exits "$stats")" = 0 ] && [ "$(field recovered-efaults "$stats")" = 0 ] ||
	fail "safe order faulted: $stats"
echo "NESTED-RESULT: PASS"
