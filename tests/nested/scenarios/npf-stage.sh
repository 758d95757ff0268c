# ursa's npf-stage stub (seed 003) as a guest hypervisor with nested
# paging on the nested KVM (--nested). Its guest reads a byte with MOV
# (the CPU walks, QEMU's SVM reports) and with OUTSB (KVM emulates the
# string I/O), once with its PT page and once with the final page missing
# from the stub's nested page table. Stock 6.12 reports every nested page
# fault it injects from emulation as a fault on the final access, so
# exactly one answer is wrong there: OUTSB with the PT page gone (status
# 3). The patched flavour carries kernel/patches/6.12-npf-stage/ and must
# pass all 6.
# shellcheck shell=dash
out=$("$URSA" run --stub npf-stage --nested 2>&1)
status=$?
echo "$out"
case $nested_flavour in
stock) want_status=3 ;;
*) want_status=0 ;;
esac
if [ "$status" != "$want_status" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $want_status"
elif [ "$nested_flavour" = stock ] && ! echo "$out" | grep -q '^npf-stage: FAIL 1 of 6 answers wrong'; then
	echo "NESTED-RESULT: FAIL stock: expected exactly one answer wrong"
elif [ "$nested_flavour" = stock ] &&
	! echo "$out" | grep -q '^npf-stage: OUTSB, PT page not mapped: reported as the final access'; then
	echo "NESTED-RESULT: FAIL stock: the wrong answer is not OUTSB's on the PT page"
elif [ "$nested_flavour" != stock ] && ! echo "$out" | grep -q '^npf-stage: PASS 6 of 6'; then
	echo "NESTED-RESULT: FAIL no PASS verdict"
else
	echo "NESTED-RESULT: PASS"
fi
