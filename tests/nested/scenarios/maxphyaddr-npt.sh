# Seed 000 with NPT on (kvm_amd's default). The CPU then checks physical
# addresses against its own MAXPHYADDR (40), so KVM cannot give a guest a
# smaller one (no KVM_CAP_SMALLER_MAXPHYADDR) and ursa must refuse
# --phys-bits 36 (status 1, one line naming the capability). The stub
# itself is not run here: with NPT its page walks and MOV to CR3 are the
# nested CPU's, i.e. QEMU's TCG, which gets both wrong (README.md,
# "MAXPHYADDR on NPT is QEMU's"). Then prefault, the
# seed's syzkaller program with checks: KVM_PRE_FAULT_MEMORY of GPA 0
# maps it, of GPA 2^48 (nothing there, above MAXPHYADDR) fails without
# mapping GPA 0 instead, a memslot at 2^48 is refused, and the vCPU still
# reads GPA 0x1000's own byte.
# shellcheck shell=dash
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
[ "$(cat /sys/module/kvm_amd/parameters/npt)" = Y ] || fail "kvm_amd.npt is not Y"
err=$("$URSA" run --stub maxphyaddr --phys-bits 36 2>&1 >/dev/null)
status=$?
echo "$err"
[ "$status" = 1 ] || fail "--phys-bits 36 on NPT: status $status, not 1"
[ "$(echo "$err" | wc -l)" = 1 ] || fail "--phys-bits 36 on NPT: not one line"
echo "$err" | grep -q -- "--phys-bits 36: below this host's 40.*KVM_CAP_SMALLER_MAXPHYADDR" ||
	fail "--phys-bits 36 on NPT: not refused for the capability"
out=$(prefault)
status=$?
echo "$out"
[ "$status" = 0 ] || fail "prefault exited with $status"
echo "$out" | grep -q '^prefault: memslot at 0x1000000000000: refused' ||
	fail "a memslot above this host's MAXPHYADDR was not refused"
echo "NESTED-RESULT: PASS"
