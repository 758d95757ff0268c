# cmdline: kvm_amd.npt=0
# ursa's maxphyaddr stub (seed 000) with --phys-bits 36, below the nested
# CPU's 40, on shadow paging (npt=0: KVM_CAP_SMALLER_MAXPHYADDR), where
# KVM must make bits 36..51 reserved: page-table entries for 2^36 raise
# #PF with P|RSVD, 2^36 - 4 KiB reads all ones, MOV to CR3 with bit 36
# raises #GP(0). Without TDP KVM offers no KVM_PRE_FAULT_MEMORY, which
# prefault must find (exit 77).
# shellcheck shell=dash
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
[ "$(cat /sys/module/kvm_amd/parameters/npt)" = N ] || fail "kvm_amd.npt is not N"
out=$("$URSA" run --stub maxphyaddr --phys-bits 36 2>&1)
status=$?
echo "$out"
[ "$status" = 0 ] || fail "ursa exited with status $status"
echo "$out" | grep -q '^maxphyaddr: PASS 5 of 5: address bits at and above 36 are reserved' ||
	fail "no PASS verdict for MAXPHYADDR 36"
prefault
status=$?
[ "$status" = 77 ] || fail "prefault exited with $status, not 77 (no KVM_PRE_FAULT_MEMORY without TDP)"
echo "NESTED-RESULT: PASS"
