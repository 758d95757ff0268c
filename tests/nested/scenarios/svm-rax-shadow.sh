# cmdline: kvm_amd.npt=0
# The svm-rax stub (seed 002) in the configuration the seed names: NPT
# off, so kvm_amd sets allow_smaller_maxphyaddr (svm_hardware_setup()) and
# a guest MAXPHYADDR below the host's is supported, with VMLOAD and VMSAVE
# always intercepted. See _svm-rax.sh.
# shellcheck shell=dash
want_npt=N
. /scenarios/_svm-rax.sh
