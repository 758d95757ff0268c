# ursa passes QEMU's edu device through to the edu stub, which reads the
# ID register through the mapped BAR, runs the factorial unit, does a DMA
# round trip through guest RAM (the IOMMU mapping ursa set up), takes INTx
# through the I/O APIC and then MSI, both through KVM. Twice in a row: the second run must find
# the device released and reset by the first.
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}
for run in 1 2; do
	out=$("$URSA" run --stub edu --cpus 2 --vfio "$bdf" 2>&1)
	status=$?
	echo "$out"
	[ "$status" = 0 ] || fail "run $run: ursa exited with status $status, expected 0"
	for line in 'edu: id 010000ed' 'edu: liveness ok' 'edu: factorial 10 = 3628800' \
		'edu: dma 2048 bytes round trip ok' 'edu: intx gsi [0-9]*: 3 interrupts' 'edu: msi vector' \
		'edu: dma-done msi received' 'edu: ok'; do
		echo "$out" | grep -q "^$line" || fail "run $run: no '$line'"
	done
done
echo "NESTED-RESULT: PASS"
