# Checks the nested machine itself: real KVM with nested SVM and NPT, from
# the flavour's modules, and QEMU's edu device (1234:11e8) bound to vfio-pci
# with its VFIO group node.

failed=
check() {
	what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "not ok: $what"
		failed="$failed${failed:+, }$what"
	fi
}

check "/dev/kvm exists" test -c /dev/kvm
check "kvm_amd is loaded" test -d /sys/module/kvm_amd
check "kvm_amd nested=1" grep -qx 1 /sys/module/kvm_amd/parameters/nested
check "kvm_amd npt=Y" grep -qx Y /sys/module/kvm_amd/parameters/npt
# The patched flavour's rebuilt modules are out of tree: taint flag O.
# shellcheck disable=SC2154 # nested_flavour: set by init's environment
for m in kvm kvm_amd; do
	if [ "$nested_flavour" = patched ]; then
		check "$m is the rebuilt module" grep -q O "/sys/module/$m/taint"
	else
		check "$m is the stock module" test -z "$(cat "/sys/module/$m/taint")"
	fi
done

edu=
for dev in /sys/bus/pci/devices/*; do
	[ "$(cat "$dev/vendor"):$(cat "$dev/device")" = 0x1234:0x11e8 ] && edu=$dev
done
check "edu device present" test -n "$edu"
check "edu bound to vfio-pci" test "$(basename "$(readlink "$edu/driver")")" = vfio-pci
group=$(basename "$(readlink "$edu/iommu_group")")
check "/dev/vfio/$group exists" test -c "/dev/vfio/$group"

if [ -z "$failed" ]; then
	echo "NESTED-RESULT: PASS"
else
	echo "NESTED-RESULT: FAIL $failed"
fi
