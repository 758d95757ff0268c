# needs: linux-guest
# needs: qemu
# needs: fio
# Block I/O of a Linux guest, ursa against QEMU on the same KVM: the same
# kernel, initrd and command line, 1 vCPU and 256 MiB, and the same 64 MiB
# image (bench.img) as a virtio-blk disk, next to a read-only one holding
# fio (tools.img). In the guest, Debian's fio does 4 KiB random reads at
# QD32 with O_DIRECT through io_uring for fio_seconds (default 10; after
# 2 s of ramp) and prints the IOPS (guest-init, guest_mode=fio). ursa's
# disk has its defaults (an I/O thread polling up to 50 us, buffered
# io_uring) or --disk ...,poll=$blk_poll when given; QEMU's has an
# iothread and aio=io_uring (and its default cache=writeback: buffered
# too). Rounds alternate, ursa first; prints each, then
#   blk-linux: ursa median X IOPS, qemu median Y IOPS, ursa/qemu R (goal >= 1.0)
# PASS whenever every run printed its IOPS; the ratio is for the reader
# (bench/blk-linux). Rounds: blk_rounds (default 3) on the nested
# machine's command line (run-nested: URSA_NESTED_APPEND). Each ursa run
# also prints its disk's --stats line; with blk_trace=1 each run of either
# VMM prints how many VM exits and MSIs KVM saw (kvm_exit, kvm_msi_set_irq
# tracepoints), to compare what a request costs each.
# shellcheck shell=dash disable=SC2154 # blk_rounds, blk_poll, blk_trace, fio_seconds come from the kernel
ROUNDS=${blk_rounds:-3}
SECONDS_EACH=${fio_seconds:-10}
# A boot, loading fio from the tools disk, the run: generous under TCG.
LIMIT=$((SECONDS_EACH + 150))
APPEND="console=ttyS0 quiet panic=-1 guest_mode=fio fio_seconds=$SECONDS_EACH"

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
case $ROUNDS in '' | *[!0-9]* | 0) fail "bad blk_rounds '$ROUNDS'" ;; esac
case ${blk_poll:-50} in *[!0-9]*) fail "bad blk_poll '$blk_poll'" ;; esac

. /scenarios/_run-guest.sh

run_ursa() {
	run_guest $LIMIT run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
		--append "$APPEND" --cpus 1 --memory 256M --console stdio --stats \
		--disk /guest/bench.img${blk_poll:+,poll=$blk_poll} --disk /guest/tools.img,readonly
}
run_qemu() {
	VMM=qemu-system-x86_64
	run_guest $LIMIT -M microvm,pcie=on -accel kvm -cpu host -smp 1 -m 256M \
		-nodefaults -no-user-config -display none -serial stdio \
		-kernel /guest/vmlinuz -initrd /guest/initrd.cpio -append "$APPEND" \
		-object iothread,id=io0 \
		-drive if=none,id=bench,file=/guest/bench.img,format=raw,aio=io_uring \
		-device virtio-blk-pci,drive=bench,iothread=io0,serial=bench.img \
		-drive if=none,id=tools,file=/guest/tools.img,format=raw,readonly=on \
		-device virtio-blk-pci,drive=tools,serial=tools.img
	VMM=''
}

TRACING=/sys/kernel/tracing
trace_start() {
	[ "$blk_trace" = 1 ] || return 0
	[ -d $TRACING/events/kvm ] || mount -t tracefs tracefs $TRACING
	echo 0 >$TRACING/tracing_on
	: >$TRACING/trace
	echo 16384 >$TRACING/buffer_size_kb
	echo 1 >$TRACING/events/kvm/kvm_exit/enable
	echo 1 >$TRACING/events/kvm/kvm_msi_set_irq/enable
	echo 1 >$TRACING/events/kvm/kvm_pio/enable
	echo 1 >$TRACING/events/kvm/kvm_mmio/enable
	echo 1 >$TRACING/tracing_on
}
# trace_report VMM: the counts since trace_start (the ring may overflow
# on long runs: then the counts are of its last part; the line says so).
trace_report() {
	[ "$blk_trace" = 1 ] || return 0
	echo 0 >$TRACING/tracing_on
	exits=$(grep -c ' kvm_exit:' $TRACING/trace)
	msis=$(grep -c ' kvm_msi_set_irq:' $TRACING/trace)
	lost=$(sed -n 's/^overrun: //p' $TRACING/per_cpu/cpu0/stats 2>/dev/null)
	reasons=$(grep -o 'kvm_exit: vcpu [0-9]* reason [A-Za-z_0-9]*' $TRACING/trace | cut -d' ' -f5 |
		sort | uniq -c | sort -rn | head -n 6 | awk '{ printf "%s %s ", $2, $1 }')
	echo "blk-linux: round $round: $1 kvm_exit $exits kvm_msi_set_irq $msis overruns ${lost:-?}; exits by reason: $reasons"
	# Where the port and MMIO accesses went: the busiest three of each.
	echo "blk-linux: round $round: $1 ports: $(grep -o 'pio_[a-z]* at 0x[0-9a-f]* size [0-9]*' $TRACING/trace |
		sort | uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	echo "blk-linux: round $round: $1 mmio: $(grep -o 'mmio [a-z]* len [0-9]* gpa 0x[0-9a-f]*' $TRACING/trace |
		sort | uniq -c | sort -rn | head -n 3 | tr -s ' \n' ' ')"
	echo 0 >$TRACING/events/kvm/enable
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { m = int((NR + 1) / 2); printf "%d\n", NR % 2 ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

: >/tmp/ursa.iops
: >/tmp/qemu.iops
echo "blk-linux: $ROUNDS rounds of ${SECONDS_EACH}s, ursa --disk poll=${blk_poll:-default}, $(qemu-system-x86_64 --version | head -n 1)"
round=1
while [ $round -le "$ROUNDS" ]; do
	for vmm in ursa qemu; do
		trace_start
		run_$vmm
		trace_report $vmm
		iops=$(echo "$out" | tr -d '\r' | sed -n 's/^GUEST: fio-iops=//p')
		if [ -z "$iops" ]; then
			echo "$out" | tr -d '\r' | grep -a 'GUEST: fio\|qemu-system\|ursa:' | tail -n 5
			fail "$vmm: no fio result in round $round (status $status)"
		fi
		echo "$iops" >>/tmp/$vmm.iops
		echo "blk-linux: round $round: $vmm $iops IOPS"
		[ $vmm = qemu ] || echo "$out" | tr -d '\r' | grep -a 'stats: disk 0' |
			sed "s/^ursa: stats: /blk-linux: round $round: ursa stats: /"
	done
	round=$((round + 1))
done
u=$(median /tmp/ursa.iops)
q=$(median /tmp/qemu.iops)
r=$(awk -v u="$u" -v q="$q" 'BEGIN { printf "%.2f\n", u / q }')
echo "blk-linux: ursa median $u IOPS, qemu median $q IOPS, ursa/qemu $r (goal >= 1.0)"
echo "NESTED-RESULT: PASS"
