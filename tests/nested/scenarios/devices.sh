# `ursa devices` where VFIO is real: QEMU's edu device (1234:11e8), which
# init bound to vfio-pci, is passable; while this script holds its VFIO
# group open, ursa says it is in use; the other devices (no vfio-pci
# driver) say why they are not passable. The JSON listing agrees.
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
out=$("$URSA" devices) || fail "ursa devices exited with status $?"
echo "$out"
edu=$(echo "$out" | grep ' 1234:11e8 ') || fail "edu (1234:11e8) is not listed"
echo "$edu" | grep -q 'driver=vfio-pci group=[0-9]* passable$' ||
	fail "edu is not passable: $edu"
group=$(echo "$edu" | sed 's/.* group=\([0-9]*\) .*/\1/')
echo "$out" | grep -v ' 1234:11e8 ' | grep -q 'not passable: bound to' ||
	fail "no other device says which driver holds it"

exec 9<>"/dev/vfio/$group" || fail "cannot open /dev/vfio/$group"
busy=$("$URSA" devices | grep ' 1234:11e8 ')
exec 9>&-
echo "$busy"
echo "$busy" | grep -q "not passable: in use: IOMMU group $group is open in another process" ||
	fail "edu is not reported in use while its group is open: $busy"

"$URSA" devices --json | grep -q '"bdf": "[0-9a-f:.]*", "vendor": "1234", "device": "11e8", .*"driver": "vfio-pci", "iommu_group": '"$group"', "passable": true, "reason": null' ||
	fail "the JSON listing lacks edu as passable"
echo "NESTED-RESULT: PASS"
