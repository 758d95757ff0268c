# needs: linux-guest
# A Linux guest reads a line typed on ursa's stdin (the 16550's receive
# path and IRQ 4), then runs `reboot -f`, which ends ursa with status 6
# (the guest asked for a reset, through the ACPI reset register).
EXPECT_STATUS=6

. /scenarios/_run-guest.sh
TYPE_AFTER='GUEST: ready for input'
TYPE_TEXT='typed on the host'
run_guest 120 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 quiet panic=-1 guest_mode=reboot" \
	--cpus 1 --memory 192M --console stdio
if [ "$status" != "$EXPECT_STATUS" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $EXPECT_STATUS"
elif ! echo "$out" | grep -q "GUEST: got '$TYPE_TEXT'"; then
	echo "NESTED-RESULT: FAIL the guest did not read the line typed on ursa's stdin"
elif ! echo "$out" | grep -q 'GUEST: rebooting'; then
	echo "NESTED-RESULT: FAIL the guest never got to reboot"
else
	echo "NESTED-RESULT: PASS"
fi
