# ursa vfio-unbind / vfio-bind on QEMU's edu device. init bound it to
# vfio-pci by ID (new_id); that ID is withdrawn first so that releasing the
# device leaves it without a driver (edu has no other). Then: unbind ->
# no driver, not passable; bind -> vfio-pci, passable; bind again is a
# no-op; an absent device is a one-line error with status 1.
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}
echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/remove_id || fail "remove_id"

out=$("$URSA" vfio-unbind "$bdf") || fail "vfio-unbind exited with $?: $out"
[ "$out" = "$bdf: bound to no driver" ] || fail "vfio-unbind said '$out'"
"$URSA" devices | grep " 1234:11e8 " | grep -q 'driver=none .* not passable: bound to no driver' ||
	fail "after vfio-unbind edu is not shown unbound"

out=$("$URSA" vfio-bind "$bdf") || fail "vfio-bind exited with $?: $out"
[ "$out" = "$bdf: bound to vfio-pci" ] || fail "vfio-bind said '$out'"
"$URSA" devices | grep " 1234:11e8 " | grep -q 'driver=vfio-pci group=[0-9]* passable$' ||
	fail "after vfio-bind edu is not passable"
out=$("$URSA" vfio-bind "${bdf#0000:}") || fail "a second vfio-bind exited with $?"
[ "$out" = "$bdf: bound to vfio-pci" ] || fail "a second vfio-bind said '$out'"

err=$("$URSA" vfio-bind 0000:00:1f.7 2>&1)
status=$?
[ $status = 1 ] || fail "vfio-bind of an absent device exited with $status"
[ "$err" = "ursa: vfio-bind: no PCI device 0000:00:1f.7 on this host" ] || fail "said '$err'"
echo "NESTED-RESULT: PASS"
