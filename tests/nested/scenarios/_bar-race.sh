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
# cpu_ticks: the CPU time (user + system, in 1/100 s) of this shell's
# children that it has waited for, and of theirs: fields 16 and 17 of
# /proc/PID/stat (proc(5)). A vCPU thread's time in its guest counts as
# user time.
cpu_ticks() {
	awk '{ print $16 + $17 }' /proc/$$/stat
}
# run_race BDF CYCLES REPRO-OPTIONS...: sets status, out, result, host,
# target, and busy: the CPU time ursa used per wall-clock time, in percent
# (above 100 only when its threads ran at the same time).
run_race() {
	dev=$1 cycles=$2
	shift 2
	ticks=$(cpu_ticks)
	timeit -k $LIMIT "$URSA" repro bar-race --vfio "$dev" --cycles "$cycles" "$@" \
		>/tmp/race.out 2>&1
	ticks=$(($(cpu_ticks) - ticks))
	out=$(cat /tmp/race.out)
	echo "$out"
	timed=$(tail -n 1 /tmp/race.out)
	status=${timed##* }
	ms=${timed%% *}
	ms=${ms%.*}
	busy=$((ticks * 1000 / (ms + 1)))
	echo "bar-race: ursa used $busy% of a CPU for $ms ms"
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
# survived WHAT: the checks every surviving row shares; with MIN_BUSY set,
# ursa must also have kept that much CPU busy (percent of one).
survived() {
	[ "$status" = 0 ] || fail "$1: ursa exited with status $status"
	[ -z "${MIN_BUSY:-}" ] || [ "$busy" -ge "$MIN_BUSY" ] ||
		fail "$1: ursa used $busy% of a CPU, expected $MIN_BUSY% or more (vCPUs in parallel)"
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
# edu_matrix: the race matrix on edu (bar-race, bar-race-parallel).
#   bar-order=qemu, no recovery: the VM dies with EFAULT and ursa's
#     diagnosis (stock: no gpa; patched: KVM_EXIT_MEMORY_FAULT in BAR 0):
#     the production crash, reproduced.
#   bar-order=qemu, recovery on: survives; stock recovers bare EFAULTs,
#     patched recovers memory-fault exits.
#   bar-order=safe (ursa's): survives with no fault at all.
edu_matrix() {
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
	run_race "$bdf" 100000 --order qemu --no-recover
	died "$bdf" "$crash"

	run_race "$bdf" $CYCLES --order qemu
	survived "qemu order with recovery"
	recovered "$counter"

	run_race "$bdf" $CYCLES
	survived "safe order"
	no_fault
}
