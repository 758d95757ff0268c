# needs: linux-guest
# needs: qemu
# Boot time of a Linux guest, ursa against QEMU -M microvm on the same KVM,
# same kernel, initrd and command line, in alternating rounds (ursa first).
# The guest's init, in guest_mode=boottime, writes 0x2a to I/O port 0x501
# before anything else (the boot-timer mark): ursa's debug-exit port, and
# QEMU's isa-debug-exit placed there, so both VMMs exit at once with status
# 85. A round's time is the VMM process's wall time from spawn to exit
# (timeit, CLOCK_MONOTONIC). Prints each round, then
#   boot-time: ursa median X ms, qemu median Y ms, ursa/qemu R (goal <= 0.8)
# The result is PASS whenever every boot reached init; the ratio is for the
# reader (bench/boot-time), not a pass criterion. Rounds: boot_time_rounds
# on the nested machine's command line (run-nested: URSA_NESTED_APPEND).
# shellcheck shell=dash disable=SC2154 # boot_time_rounds comes from the kernel
ROUNDS=${boot_time_rounds:-5}
EXPECT_STATUS=85
LIMIT=60 # seconds per boot before timeit kills the VMM
APPEND="console=ttyS0 quiet guest_mode=boottime"

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
case $ROUNDS in '' | *[!0-9]* | 0) fail "bad boot_time_rounds '$ROUNDS'" ;; esac

boot_ursa() {
	timeit -k $LIMIT "$URSA" run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
		--append "$APPEND" --cpus 1 --memory 256M --console none
}
boot_qemu() {
	timeit -k $LIMIT qemu-system-x86_64 -M microvm -accel kvm -cpu host \
		-m 256M -smp 1 -nodefaults -no-user-config -display none -serial none \
		-kernel /guest/vmlinuz -initrd /guest/initrd.cpio -append "$APPEND" \
		-device isa-debug-exit,iobase=0x501,iosize=2
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { m = int((NR + 1) / 2); printf "%.1f\n", NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

: >/tmp/ursa.ms
: >/tmp/qemu.ms
round=1
while [ $round -le "$ROUNDS" ]; do
	for vmm in ursa qemu; do
		r=$(boot_$vmm 2>/tmp/$vmm.err)
		ms=${r% *}
		st=${r#* }
		if [ -z "$r" ] || [ "$st" != $EXPECT_STATUS ]; then
			echo "boot-time: round $round: $vmm: '$r' (ms status), expected status $EXPECT_STATUS; its stderr:"
			tail -n 20 /tmp/$vmm.err
			fail "$vmm did not reach the guest's init in round $round (status '$st')"
		fi
		echo "$ms" >>/tmp/$vmm.ms
		echo "boot-time: round $round: $vmm $ms ms"
	done
	round=$((round + 1))
done
u=$(median /tmp/ursa.ms)
q=$(median /tmp/qemu.ms)
r=$(awk -v u="$u" -v q="$q" 'BEGIN { printf "%.2f\n", u / q }')
echo "boot-time: ursa median $u ms, qemu median $q ms, ursa/qemu $r (goal <= 0.8)"
echo "NESTED-RESULT: PASS"
