# needs: linux-guest
# ursa passes QEMU's edu device (1234:11e8, which init bound to vfio-pci)
# through to a Linux guest: the guest must enumerate it on bus 0 and, with
# pci-peek mapping its BAR 0 through sysfs, read its ID register (offset 0:
# 0x010000ed, edu 1.0), then power off (ursa status 0).
EXPECT_STATUS=0
EXPECT_ID=0x010000ed

fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}

. /scenarios/_run-guest.sh
run_guest 120 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 panic=-1 guest_mode=vfio" \
	--memory 256M --console stdio --vfio "$bdf"
[ "$status" = "$EXPECT_STATUS" ] || fail "ursa exited with status $status, expected $EXPECT_STATUS"
echo "$out" | grep -q 'GUEST: init reached' || fail "the guest never reached init"
echo "$out" | grep -q 'GUEST: pci 0000:00:[0-9a-f][0-9a-f]\.0 1234:11e8' ||
	fail "the guest does not see edu (1234:11e8) on bus 0"
echo "$out" | grep -q "GUEST: edu resource0\[0\]=$EXPECT_ID" ||
	fail "the guest did not read $EXPECT_ID from edu's BAR 0: $(echo "$out" | grep 'GUEST: edu' | tr -d '\r')"
echo "NESTED-RESULT: PASS"
