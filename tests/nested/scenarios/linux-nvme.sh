# needs: linux-guest
# ursa passes QEMU's NVMe controller (1b36:0010, which init bound to
# vfio-pci) through to a Linux guest, whose nvme driver must bring it up on
# MSI-X through ursa (a 64-bit BAR 0 holding the registers, the MSI-X table
# and the PBA; PM, MSI-X and PCIe capabilities) and do I/O on it. Here the
# controller must have those three capabilities and an IOMMU group of its
# own. Run 1 (guest_mode=nvme): the guest lists the controller, finds that
# 1 MiB at 1 MiB does not hold this run's pattern yet, writes it with
# O_DIRECT and fsync, reads it back the same way and compares; the
# interrupts of its nvme queues (admin and at least one I/O queue) must
# have arrived, through MSI-X. Run 2 (guest_mode=nvme-read), a new VM on the
# same controller: the guest reads the pattern back, so the data went to
# the device. Both power off (ursa status 0).
EXPECT_STATUS=0

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
nvme=$("$URSA" devices | grep ' 1b36:0010 ') || fail "the NVMe controller is not listed"
echo "$nvme"
bdf=${nvme%% *}
echo "$nvme" | grep -q 'driver=vfio-pci group=[0-9]* passable$' ||
	fail "the NVMe controller is not passable: $nvme"
dev=/sys/bus/pci/devices/$bdf
group=$(basename "$(readlink "$dev/iommu_group")")
members=$(ls "/sys/kernel/iommu_groups/$group/devices")
[ "$members" = "$bdf" ] || fail "IOMMU group $group holds $(echo "$members" | tr '\n' ' ')"

# The controller's capability list on this machine (ID@OFFSET, hex).
caps=
ptr=$(($(od -An -tu1 -v -j 0x34 -N 1 "$dev/config") & 0xfc))
n=0
while [ "$ptr" -ne 0 ] && [ $n -lt 48 ]; do
	id=$(od -An -tu1 -v -j "$ptr" -N 1 "$dev/config")
	caps="$caps $(printf '%02x@%02x' "$id" "$ptr")"
	ptr=$(($(od -An -tu1 -v -j $((ptr + 1)) -N 1 "$dev/config") & 0xfc))
	n=$((n + 1))
done
echo "nvme $bdf caps$caps; BAR 0 $(($(od -An -tu1 -v -j 0x10 -N 1 "$dev/config") & 6 ? 64 : 32))-bit, $(head -n 1 "$dev/resource")"
for c in 01 10 11; do
	case "$caps " in *" $c@"*) ;; *) fail "the NVMe controller lacks capability $c:$caps" ;; esac
done

token=$(cat /proc/sys/kernel/random/uuid)
. /scenarios/_run-guest.sh
run_guest 150 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 panic=-1 guest_mode=nvme nvme_token=$token" \
	--memory 256M --console stdio --vfio "$bdf"
out=$(echo "$out" | tr -d '\r')
[ "$status" = "$EXPECT_STATUS" ] || fail "run 1: ursa exited with status $status, expected $EXPECT_STATUS"
echo "$out" | grep -q 'GUEST: init reached' || fail "run 1: the guest never reached init"
echo "$out" | grep -q 'GUEST: pci 0000:00:[0-9a-f][0-9a-f]\.0 1b36:0010' ||
	fail "run 1: the guest does not see the NVMe controller (1b36:0010) on bus 0"
echo "$out" | grep -q 'GUEST: nvme before: pattern absent' ||
	fail "run 1: the pattern was not absent before the write: $(echo "$out" | grep 'GUEST: nvme' | tail -n 3)"
echo "$out" | grep -q 'GUEST: nvme io ok' ||
	fail "run 1: no 'GUEST: nvme io ok': $(echo "$out" | grep 'GUEST: nvme' | tail -n 3)"
irqs=$(echo "$out" | sed -n 's/^GUEST: nvme msix irqs=\([0-9]*\) queues=\([0-9]*\) msix-lines=\([0-9]*\)$/\1 \2 \3/p')
[ -n "$irqs" ] || fail "run 1: the guest did not report its nvme interrupts"
# shellcheck disable=SC2086 # three numbers, split on purpose
set -- $irqs
[ "$1" -gt 0 ] || fail "run 1: no nvme interrupt was delivered"
[ "$2" -ge 2 ] || fail "run 1: only $2 nvme queues got interrupts, expected the admin queue and an I/O queue"
[ "$3" -ge 2 ] || fail "run 1: $3 of the nvme interrupt lines are MSI-X, expected at least 2"

run_guest 150 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 panic=-1 guest_mode=nvme-read nvme_token=$token" \
	--memory 256M --console stdio --vfio "$bdf"
out=$(echo "$out" | tr -d '\r')
[ "$status" = "$EXPECT_STATUS" ] || fail "run 2: ursa exited with status $status, expected $EXPECT_STATUS"
echo "$out" | grep -q 'GUEST: nvme readback ok' ||
	fail "run 2: the guest did not read back run 1's pattern: $(echo "$out" | grep 'GUEST: nvme' | tail -n 3)"
echo "NESTED-RESULT: PASS"
