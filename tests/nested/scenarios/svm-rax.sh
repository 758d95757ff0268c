# cmdline: kvm_amd.npt=0
# ursa's svm-rax stub (seed 002) as a guest hypervisor on the nested KVM
# (--nested, MAXPHYADDR 36 below the nested CPU's 40) in the configuration
# the seed names: NPT off, so kvm_amd sets allow_smaller_maxphyaddr
# (svm_hardware_setup()), a guest MAXPHYADDR below the host's is real
# (ursa refuses --phys-bits 36 otherwise: maxphyaddr-npt), and VMLOAD and
# VMSAVE are always intercepted. Stock 6.12 takes all of RAX from its VMCB
# for VMSAVE, VMLOAD and VMRUN, so in compatibility mode, where RAX[63:32]
# does not count, the three raise a #GP that is not due: the stub must
# fail exactly there (status 3), and pass the 64-bit rounds (valid VMCBs
# work, rAX = 2^36 raises #GP). The patched flavour carries
# kernel/patches/6.12-svm-rax/ and must pass all 9.
# shellcheck shell=dash
npt=$(cat /sys/module/kvm_amd/parameters/npt)
if [ "$npt" != N ]; then
	echo "NESTED-RESULT: FAIL kvm_amd.npt is $npt, not N"
	exit 0
fi
out=$("$URSA" run --stub svm-rax --nested --phys-bits 36 2>&1)
status=$?
echo "$out"
case $nested_flavour in
stock) want_status=3 ;;
*) want_status=0 ;;
esac
compat_gp=$(echo "$out" | grep -c '^svm-rax: compatibility-mode VM[A-Z]* .*raised an exception where none is due, vector (d)')
if [ "$status" != "$want_status" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $want_status"
elif [ "$nested_flavour" = stock ] && ! echo "$out" | grep -q '^svm-rax: FAIL 3 of 9 answers wrong'; then
	echo "NESTED-RESULT: FAIL stock: expected exactly the 3 compatibility-mode answers wrong"
elif [ "$nested_flavour" = stock ] && [ "$compat_gp" != 3 ]; then
	echo "NESTED-RESULT: FAIL stock: $compat_gp of 3 compatibility-mode #GPs"
elif [ "$nested_flavour" != stock ] && ! echo "$out" | grep -q '^svm-rax: PASS 9 of 9'; then
	echo "NESTED-RESULT: FAIL no PASS verdict"
else
	echo "NESTED-RESULT: PASS"
fi
