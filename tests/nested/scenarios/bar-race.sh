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
. /scenarios/_bar-race.sh

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
echo "NESTED-RESULT: PASS"
