# The svm-rax stub (seed 002) with NPT on, kvm_amd's default: KVM still
# intercepts VMLOAD and VMSAVE, as the nested CPU model (qemu64,+svm,+npt)
# has no virtual VMLOAD/VMSAVE (CPUID 0x8000000A EDX[15]). See _svm-rax.sh.
# shellcheck shell=dash
want_npt=Y
. /scenarios/_svm-rax.sh
