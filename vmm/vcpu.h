/* SPDX-License-Identifier: GPL-2.0-only */
/* vCPU threads: KVM_RUN, exit dispatch, and the diagnosis of fatal exits. */
#ifndef URSA_VMM_VCPU_H
#define URSA_VMM_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct kvm_run;
struct vm;

/* Interrupts KVM_RUN on a vCPU thread (with run->immediate_exit set). */
#define VCPU_KICK_SIGNAL	SIGUSR1

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
	atomic_bool dump_requested;
	unsigned long zaps_seen;	/* vm->bar_zaps when KVM_RUN was entered */
	unsigned int fault_retries;	/* EFAULTs recovered since the last exit */
};

/* KVM_CREATE_VCPU, map kvm_run, set the CPUID policy. 0 or -1 with err. */
int vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned int index,
		char *err, size_t errlen);
void vcpu_destroy(struct vcpu *vcpu);

/* Start the thread that runs the vCPU until the VM stops. 0 or -errno. */
int vcpu_start(struct vcpu *vcpu);
/* Make KVM_RUN return on that thread, now or at its next entry. */
void vcpu_kick(struct vcpu *vcpu);
void vcpu_join(struct vcpu *vcpu);
/* Have the vCPU print its registers on stderr and go on running. */
void vcpu_request_dump(struct vcpu *vcpu);

#endif
