# A passed-through PCIe function with PM and FLR (QEMU's NVMe controller)
# goes to D3hot, is reset with an FLR and has BAR 0 moved, each while a
# second vCPU reads BAR 0: the reset-race stub (guest/stubs/reset-race.c).
# ursa's own ordering takes the BARs down before each of those writes
# reaches the device, so no access can fault: fault recovery is off, and
# any EFAULT would end the VM with status 4. Expected: status 0, all ones
# while the function does not decode (checked reads > 0), its registers
# at reset values after the FLR, the moved BAR answering at its new
# address only, no wrong value, and no BAR demoted after a fault.
ROUNDS=5
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
# The number after NAME in TEXT.
field() {
	echo "$2" | sed -n "s/.* $1 \([0-9]*\).*/\1/p" | head -n 1
}
nvme=$("$URSA" devices | grep ' 1b36:0010 ') || fail "the NVMe controller is not listed"
bdf=${nvme%% *}
out=$(timeit -k 120 "$URSA" run --stub reset-race --cpus 2 --vfio "$bdf" --no-fault-recovery \
	--stats --append "rounds=$ROUNDS" 2>&1)
echo "$out"
timed=$(echo "$out" | tail -n 1)
status=${timed##* }
result=$(echo "$out" | grep '^reset-race: rounds ')
stats=$(echo "$out" | grep "stats: --vfio $bdf: ")
[ "$status" = 0 ] || fail "ursa exited with status $status, expected 0"
echo "$out" | grep -q '^reset-race: ok' || fail "no 'reset-race: ok'"
[ "$(field rounds "$result")" = $ROUNDS ] || fail "not $ROUNDS rounds: $result"
[ "$(field wrong-values "$result")" = 0 ] || fail "wrong values: $result"
[ "$(field checked-off "$result")" -gt 0 ] || fail "no read checked while off: $result"
[ "$(field ur-reads "$stats")" -gt 0 ] || fail "ursa answered no read with all ones: $stats"
[ "$(field demotions "$stats")" = 0 ] || fail "BARs were demoted after faults: $stats"
echo "NESTED-RESULT: PASS"
