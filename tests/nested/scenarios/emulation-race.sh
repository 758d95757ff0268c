# cmdline: preempt=full
# A vCPU preempted inside KVM's emulation of a BAR access while ursa maps
# the BAR's memslot back (tests/nested/README.md, "The zero reads"): with
# preempt=full the hammering vCPU's thread loses the CPU anywhere in the
# kernel, also between KVM's decision to emulate its load from edu's BAR
# (no memslot: MMIO) and the operand read. Had ursa added the memslot
# meanwhile, the emulation would read edu through ursa's mapping one byte
# at a time and get 0 (edu takes dword accesses only): 257 wrong values in
# 2000 cycles before ursa added BAR memslots only with every other vCPU
# out of KVM_RUN. The qemu order with recovery maps and unmaps most often.
. /scenarios/_bar-race.sh

grep -q 'preempt=full' /proc/cmdline || fail "the kernel was not booted with preempt=full"
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
run_race "${edu%% *}" $CYCLES --order qemu
survived "qemu order with recovery, preempt=full"
echo "NESTED-RESULT: PASS"
