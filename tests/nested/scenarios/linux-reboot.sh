# needs: linux-guest
# A Linux guest that runs `reboot -f` ends ursa with status 6 (the guest
# asked for a reset, through the ACPI reset register).
EXPECT_STATUS=6

. /scenarios/_run-guest.sh
run_guest 120 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 quiet panic=-1 guest_mode=reboot" \
	--cpus 1 --memory 192M --console stdio
if [ "$status" != "$EXPECT_STATUS" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $EXPECT_STATUS"
elif ! echo "$out" | grep -q 'GUEST: rebooting'; then
	echo "NESTED-RESULT: FAIL the guest never got to reboot"
else
	echo "NESTED-RESULT: PASS"
fi
