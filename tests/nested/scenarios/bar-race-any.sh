# 'ursa repro bar-race' on a function the stub does not know: QEMU's NVMe
# controller, whose 64-bit BAR 0 (16 KiB, MSI-X table and PBA inside,
# which ursa traps) lands in ursa's 64-bit PCI window above 4 GiB. The
# hammer is read-only: vCPU 0 learns BAR 0 + 0 (CAP, low dword) with
# decoding on, and every hammer read must be that or all ones. The race
# matrix, as bar-race does it on edu:
#   --order qemu --no-recover: the VM dies with ursa's EFAULT diagnosis
#     (stock: no gpa; patched: KVM_EXIT_MEMORY_FAULT at BAR 0's page),
#     status 4;
#   --order qemu: survives, with recovered EFAULTs (stock) or memory-fault
#     exits (patched) > 0;
#   safe order: survives with no fault at all.
# Surviving rows: status 0, the survival summary naming the function, BAR,
# offset, learned value and the read-only hammer, a progress line, all-ones
# reads, no wrong value, no leaked write. Then edu with an explicit
# --bar 0 --offset 0: read-only as well, its ID learned. And the host's
# checks of --bar and --offset against the BARs VFIO reports: one line on
# stderr, status 2.
. /scenarios/_bar-race.sh

# survived_read_only WHAT IDS: a surviving row whose summary names the
# read-only target.
survived_read_only() {
	survived "$1"
	echo "$target" | grep -q "^repro: target $2 BAR 0 offset 0x0, expected 0x[0-9a-f]\{8\} (learned with decoding on), read-only hammer$" ||
		fail "$1: the summary does not name the read-only target: $target"
}
# usage WHAT TEXT REPRO-OPTIONS...: a usage error, one line naming TEXT.
usage() {
	what=$1 text=$2
	shift 2
	"$URSA" repro bar-race --cycles 10 "$@" >/tmp/usage.out 2>/tmp/usage.err
	status=$?
	cat /tmp/usage.out /tmp/usage.err
	[ "$status" = 2 ] || fail "$what: status $status, expected 2"
	[ "$(wc -l </tmp/usage.err)" = 1 ] || fail "$what: stderr is not one line"
	grep -qF -e "$text" /tmp/usage.err || fail "$what: no '$text'"
	[ -s /tmp/usage.out ] && fail "$what: something on stdout"
}

nvme=$("$URSA" devices | grep ' 1b36:0010 ') || fail "the NVMe controller is not listed"
bdf=${nvme%% *}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
edu=${edu%% *}

usage "--offset past BAR 0" "--offset 0x4000: outside BAR 0 of --vfio $bdf (0x4000 bytes)" \
	--vfio "$bdf" --offset 0x4000
usage "--bar 1" "BAR 1 of --vfio $bdf (1b36:0010) is the upper half of a 64-bit BAR" \
	--vfio "$bdf" --bar 1

# Many more cycles than it takes: the crash comes within a few hundred.
run_race "$bdf" 100000 --order qemu --no-recover
[ "$status" = 4 ] || fail "qemu order without recovery: status $status, expected 4"
at=$(echo "$out" | sed -n 's/^bar-race: 1b36:0010 at 00:[0-9a-f.]*, BAR 0 at \([0-9a-f]*\) .*/\1/p')
[ -n "$at" ] || fail "the stub did not say where BAR 0 is"
[ $((0x$at)) -ge $((1 << 32)) ] || fail "BAR 0 at $at, expected above 4 GiB (64-bit window)"
case $nested_flavour in
stock)
	crash='KVM_RUN: Bad address (EFAULT) with no memory-fault information'
	counter='recovered EFAULTs' ;;
patched)
	crash="KVM_EXIT_MEMORY_FAULT gpa=0x$at size=0x1000"
	counter='memory-fault exits' ;;
esac
died "$bdf" "$crash"

run_race "$bdf" $CYCLES --order qemu
survived_read_only "qemu order with recovery" 1b36:0010
recovered "$counter"

run_race "$bdf" $CYCLES
survived_read_only "safe order" 1b36:0010
no_fault

run_race "$edu" $CYCLES --bar 0 --offset 0
survived_read_only "edu, read-only" 1234:11e8
echo "$target" | grep -q 'expected 0x010000ed ' || fail "edu's ID was not learned: $target"
[ "$(field windows "$result")" -gt 0 ] || fail "edu, read-only: no window used: $result"
echo "NESTED-RESULT: PASS"
