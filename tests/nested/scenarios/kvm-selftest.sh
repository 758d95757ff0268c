# needs: kvm-selftest
# The KVM selftest that kernel/patches/6.12 adds, memory_fault_exit_test: a
# guest read, write and instruction fetch, each on its own page of a memslot
# whose host memory cannot be faulted in (anonymous memory made PROT_NONE,
# or a memfd truncated to zero), six cases in all. Each must fail KVM_RUN
# with EFAULT *and* exit with KVM_EXIT_MEMORY_FAULT, memory_fault reporting
# exactly that page (gpa, size 0x1000, flags 0); the vCPU must then finish
# the access once the memory is faultable again.
# - stock kvm: every case fails with a bare EFAULT (KVM leaves the exit
#   reason alone; the test poisons it with 0, UNKNOWN): the bug;
# - patched kvm: every case passes.
TEST=/usr/bin/memory_fault_exit_test
CASES='prot_none_read prot_none_write prot_none_fetch truncated_memfd_read truncated_memfd_write truncated_memfd_fetch'
BARE='KVM_RUN failed with EFAULT, but exit reason is 0 (UNKNOWN), not KVM_EXIT_MEMORY_FAULT'

out=$("$TEST" 2>&1)
status=$?
echo "$out"
echo "$TEST exited with status $status"

check() {
	n=0
	for c in $CASES; do
		n=$((n + 1))
		if ! echo "$out" | grep -qx "$1 $n memory_fault.$c"; then
			echo "NESTED-RESULT: FAIL no '$1 $n memory_fault.$c' line"
			return 1
		fi
	done
	if ! echo "$out" | grep -qxF "$2"; then
		echo "NESTED-RESULT: FAIL no '$2' line"
		return 1
	fi
}

case $nested_flavour in
stock)
	if [ "$status" = 0 ]; then
		echo "NESTED-RESULT: FAIL the test passed on stock kvm, which returns a bare EFAULT"
	elif check 'not ok' '# FAILED: 0 / 6 tests passed.'; then
		bare=$(echo "$out" | grep -cF "$BARE")
		if [ "$bare" != 6 ]; then
			echo "NESTED-RESULT: FAIL $bare of 6 cases failed with '$BARE'"
		else
			echo "NESTED-RESULT: PASS"
		fi
	fi
	;;
patched)
	if [ "$status" != 0 ]; then
		echo "NESTED-RESULT: FAIL the test exited with status $status"
	elif check ok '# PASSED: 6 / 6 tests passed.'; then
		echo "NESTED-RESULT: PASS"
	fi
	;;
esac
