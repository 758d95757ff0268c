/* SPDX-License-Identifier: GPL-2.0-only */
/* What a vCPU was doing, printed when it dies or when asked (SIGQUIT). */
#ifndef URSA_VMM_VCPU_DUMP_H
#define URSA_VMM_VCPU_DUMP_H

struct vcpu;

/*
 * Registers, the code around rip, the run state and the local APIC's
 * pending and in-service vectors, on stderr. Call it on the vCPU's own
 * thread: KVM's vCPU ioctls wait while another thread is in KVM_RUN.
 */
void vcpu_dump_state(struct vcpu *vcpu);

#endif
