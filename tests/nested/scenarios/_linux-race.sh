# Sourced by the linux-race-* scenarios (not a scenario itself): the seed's
# reproducer in a real Linux guest. ursa boots the nested kernel's bzImage
# with 2 vCPUs and one device passed through; the guest's init runs
# bar-hammer (guest_mode=race): RACE_THREADS threads read (and on edu also
# write) BAR 0 through an mmap of sysfs resource0 while the main thread
# clears and sets PCI_COMMAND.MEM through sysfs config, RACE_CYCLES times.
#
# race_rows ROW... runs, for each row, one guest:
#   safe       ursa's order: survives, no fault at all
#   qemu       bar-order=qemu with recovery: survives, faults recovered > 0
#   qemu-dies  bar-order=qemu --no-fault-recovery: the VM dies (status 4)
#              with ursa's EFAULT diagnosis (stock: bare EFAULT; patched:
#              KVM_EXIT_MEMORY_FAULT in the device's BAR 0)
#   qemu-vmm   the comparison: the same guest under QEMU as the VMM
#              (Debian's 7.2, -M microvm with PCIe, -device vfio-pci) must
#              stop the VM before the cycles end: "kvm run failed Bad
#              address", as seed 001 says, or death by SIGBUS on its own
#              read of the BAR's mapping (qemu_vmm_row); the row reports
#              which and at which progress mark
# A surviving row: ursa status 0, the guest's bar-hammer status 0 with
# every read the learned value or all ones (wrong-values 0), all-ones reads
# > 0. Set before sourcing: RACE_ID (vendor:device), RACE_OFFSET,
# RACE_WRITE (a write offset, or empty for a read-only hammer).
# race_cycles and race_rounds on the nested kernel's command line
# (URSA_NESTED_APPEND) override the cycle count and repeat the rows.
RACE_CYCLES=${race_cycles:-300}
RACE_THREADS=1
RACE_LIMIT=${race_limit:-240} # seconds before a guest counts as hung
# QEMU boots this guest more slowly than ursa does here; with five nested
# machines on two host CPUs it missed init within 240 s.
QEMU_LIMIT=$((RACE_LIMIT + 180))

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
field() {
	echo "$2" | sed -n "s/.* $1 \([0-9]*\).*/\1/p" | head -n 1
}

dev=$("$URSA" devices | grep " $RACE_ID ") || fail "no $RACE_ID device is listed"
bdf=${dev%% *}
case $nested_flavour in
stock) crash='KVM_RUN: Bad address (EFAULT) with no memory-fault information' ;;
patched) crash='KVM_EXIT_MEMORY_FAULT gpa=0x' ;;
esac

. /scenarios/_run-guest.sh

race_append() {
	echo "console=ttyS0 panic=-1 nokaslr guest_mode=race race_id=$RACE_ID race_bar=0 race_offset=$RACE_OFFSET race_cycles=$RACE_CYCLES race_threads=$RACE_THREADS${RACE_WRITE:+ race_write=$RACE_WRITE}"
}

# qemu_maps_snapshot: QEMU's memory map once the guest reached init, in
# /tmp/qemu.maps: vfio-pci mmaps the BARs when the device is realized, and
# the mapping stays while memory decoding toggles (vfio_pci_mmap_fault()
# only fills it again), but QEMU may die on the race's first cycle.
# Bounded by QEMU_LIMIT, as the row is.
qemu_maps_snapshot() {
	: >/tmp/qemu.maps
	waited=0
	until grep -q 'GUEST: init reached' /tmp/ursa.out 2>/dev/null; do
		[ $waited -lt $QEMU_LIMIT ] || return
		sleep 1
		waited=$((waited + 1))
	done
	for comm in /proc/[0-9]*/comm; do
		[ "$(cat "$comm" 2>/dev/null)" = qemu-system-x86 ] &&
			cat "${comm%comm}maps" >/tmp/qemu.maps 2>/dev/null
	done
}

# mapping_of ADDR: the line of /tmp/qemu.maps whose range holds ADDR (0x...).
mapping_of() {
	while IFS='- ' read -r lo hi rest; do
		[ $(($1 >= 0x$lo && $1 < 0x$hi)) = 1 ] && echo "$lo-$hi $rest" | tr -s " "
	done </tmp/qemu.maps
}

# qemu_vmm_row: QEMU stops the VM in one of two ways. A KVM_RUN that failed
# (the bare EFAULT, or KVM_EXIT_MEMORY_FAULT, which 7.2 does not know):
# kvm_cpu_exec() prints "kvm run failed" and pauses the VM (vm_stop())
# rather than exiting, so run_guest stops it once it said so. Or QEMU dies
# of SIGBUS: its own vCPU thread read the BAR through its mmap while memory
# decoding was off, vfio_pci_mmap_fault() answered VM_FAULT_SIGBUS, and
# QEMU's sigbus_handler() re-raises any SIGBUS that is not a machine
# check. strace (no system call traced, seccomp-filtered, so KVM_RUN keeps
# its speed) records the signal's si_addr; the row checks it is in the
# vfio mapping.
qemu_vmm_row() {
	echo "linux-race: row qemu-vmm: $RACE_CYCLES cycles on $bdf ($RACE_ID) under $(qemu-system-x86_64 --version | head -n 1)"
	VMM=strace STOP_AFTER='kvm run failed'
	rm -f /tmp/ursa.out # the last row's: run_guest makes it anew
	qemu_maps_snapshot &
	snapshot=$!
	run_guest $QEMU_LIMIT \
		-f --seccomp-bpf -e trace=none -e signal=SIGBUS -o /tmp/qemu.strace \
		qemu-system-x86_64 \
		-M microvm,pcie=on -accel kvm -cpu host -smp 2 -m 256M \
		-nodefaults -no-user-config -display none -serial stdio \
		-kernel /guest/vmlinuz -initrd /guest/initrd.cpio -append "$(race_append)" \
		-device vfio-pci,host="$bdf"
	VMM='' STOP_AFTER=''
	kill $snapshot 2>/dev/null
	wait $snapshot
	echo "$out" | grep -q 'GUEST: init reached' || fail "qemu-vmm: the guest never reached init under QEMU (status $status)"
	# bar-hammer marks its progress every twentieth of the cycles.
	mark=$(echo "$out" | tr -d '\r' | sed -n 's/^bar-hammer: progress //p' | tail -n 1)
	every=$((RACE_CYCLES / 20 ? RACE_CYCLES / 20 : 1))
	cycles="cycles ${mark:-0}-$((${mark:-0} + every)) of $RACE_CYCLES"
	if stopped=$(echo "$out" | grep -m 1 'kvm run failed'); then
		echo "linux-race: row qemu-vmm ok: QEMU stopped the VM (\"$stopped\") in $cycles"
		return
	fi
	sigbus=$(grep -m 1 -- '--- SIGBUS {.*si_code=BUS_ADRERR' /tmp/qemu.strace)
	addr=$(echo "$sigbus" | sed -n 's/.*si_addr=\(0x[0-9a-f]*\).*/\1/p')
	if [ "$status" != $((128 + 7)) ] || [ -z "$addr" ]; then
		fail "qemu-vmm: QEMU did not stop the VM (status $status): $(echo "$out" | grep -a 'bar-hammer: cycles\|GUEST: race' | tail -n 2 | tr -d '\r')"
	fi
	# drivers/vfio/group.c names a device fd's file "[vfio-device]".
	mapping=$(mapping_of "$addr")
	echo "$mapping" | grep -q 'vfio-device' ||
		fail "qemu-vmm: QEMU died of SIGBUS at $addr, not in a vfio mapping: ${mapping:-none of $(wc -l </tmp/qemu.maps) mappings}"
	echo "linux-race: row qemu-vmm ok: QEMU died of SIGBUS (BUS_ADRERR) at $addr, in its mapping of the device ($mapping), in $cycles"
}

# race_row ROW: one guest, judged.
race_row() {
	row=$1
	case $row in
	safe) order=safe recover= ;;
	qemu) order=qemu recover= ;;
	qemu-dies) order=qemu recover=--no-fault-recovery ;;
	qemu-vmm) qemu_vmm_row; return ;;
	*) fail "unknown row $row" ;;
	esac
	echo "linux-race: row $row: $RACE_CYCLES cycles on $bdf ($RACE_ID)"
	# nokaslr: a hang report can name the guest's rip from this machine's
	# /proc/kallsyms (same bzImage; _run-guest.sh).
	# shellcheck disable=SC2086 # recover is one word or none
	run_guest "$RACE_LIMIT" run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
		--append "$(race_append)" \
		--cpus 2 --memory 256M --console stdio --stats --vfio "$bdf,bar-order=$order" $recover
	echo "$out" | grep -q 'GUEST: init reached' || fail "$row: the guest never reached init (status $status)"
	result=$(echo "$out" | tr -d '\r' | grep '^bar-hammer: cycles ')
	stats=$(echo "$out" | grep '^ursa: stats: memory-fault-exits')
	faults=$(($(field memory-fault-exits "$stats") + $(field recovered-efaults "$stats")))
	if [ $row = qemu-dies ]; then
		[ "$status" = 4 ] || fail "$row: ursa status $status, expected 4 (the VM dies)"
		echo "$out" | grep -qF "$crash" || fail "$row: no '$crash' diagnosis"
		echo "$out" | grep -q 'fault recovery is off' || fail "$row: the diagnosis does not say recovery is off"
		return
	fi
	[ "$status" = 0 ] || fail "$row: ursa status $status, expected 0"
	echo "$out" | grep -q 'GUEST: race status 0' || fail "$row: bar-hammer failed: $(echo "$out" | grep -a 'bar-hammer:\|GUEST: race' | tail -n 3 | tr -d '\r')"
	[ "$(field cycles "$result")" = "$RACE_CYCLES" ] || fail "$row: not $RACE_CYCLES cycles: $result"
	[ "$(field wrong-values "$result")" = 0 ] || fail "$row: wrong values: $result"
	[ "$(field ur-reads "$result")" -gt 0 ] || fail "$row: no all-ones read: $result"
	case $row in
	safe) [ "$faults" = 0 ] || fail "$row: the safe order faulted: $stats" ;;
	qemu) [ "$faults" -gt 0 ] || fail "$row: no fault recovered (the window never opened?): $stats" ;;
	esac
	echo "linux-race: row $row ok: $result; $stats"
}

# race_rows ROW...: every row, race_rounds times (default once), then PASS.
race_rows() {
	rounds=${race_rounds:-1}
	round=1
	while [ $round -le "$rounds" ]; do
		for row in "$@"; do
			race_row "$row"
		done
		echo "linux-race: round $round of $rounds ok"
		round=$((round + 1))
	done
	echo "NESTED-RESULT: PASS"
}
