# The memfault stub reads a memslot ursa backs with PROT_NONE memory
# (--debug-memfault-slot), so KVM cannot fault the page in and KVM_RUN fails
# with EFAULT; ursa must stop the VM with status 4 and its diagnosis.
# - stock kvm: a bare EFAULT, no gpa (the bug the kernel patch fixes);
# - patched kvm: KVM_EXIT_MEMORY_FAULT with the exact page the stub read
#   (0xd0001008 -> gpa 0xd0001000, size 0x1000).
EXPECT_STATUS=4
case $nested_flavour in
stock) EXPECT='KVM_RUN: Bad address (EFAULT) with no memory-fault information' ;;
patched) EXPECT='KVM_EXIT_MEMORY_FAULT gpa=0xd0001000 size=0x1000 flags=0x0' ;;
esac
COMMON='rip=0x'

out=$("$URSA" run --stub memfault --debug-memfault-slot 2>&1)
status=$?
echo "$out"
if [ "$status" != "$EXPECT_STATUS" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $EXPECT_STATUS"
elif ! echo "$out" | grep -qF "$EXPECT"; then
	echo "NESTED-RESULT: FAIL ursa's output lacks '$EXPECT'"
elif ! echo "$out" | grep -qF "$COMMON"; then
	echo "NESTED-RESULT: FAIL ursa's diagnosis lacks '$COMMON'"
else
	echo "NESTED-RESULT: PASS"
fi
