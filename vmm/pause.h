/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Every other vCPU outside KVM_RUN for a moment: a vCPU thread that must
 * change something no vCPU may be inside KVM_RUN for (a BAR's memslots,
 * vfio_bars_defer_maps()) kicks the others and waits until each has
 * parked at the top of its loop, holding no lock.
 */
#ifndef URSA_VMM_PAUSE_H
#define URSA_VMM_PAUSE_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct vm;
struct vcpu;

struct vcpu_pause {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* parked, gone or active changed */
	atomic_bool active;	/* vCPUs park at the top of their loop */
	unsigned int parked;	/* vCPU threads waiting for the pause to end */
	unsigned int gone;	/* vCPU threads that left their loop */
};

#define VCPU_PAUSE_INIT { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER }

/* A vCPU thread at the top of its loop while a pause is active. */
void vcpu_pause_park(struct vcpu_pause *p);
/* A vCPU thread leaves its loop for good. */
void vcpu_pause_gone(struct vcpu_pause *p);
/*
 * From vCPU thread self (NULL: not a vCPU thread): kick the other vCPUs
 * and wait until every one has parked or gone. true: they are
 * out of KVM_RUN until vm_resume_others(); false: the VM is stopping, or
 * a vCPU did not park within a second (logged), and nothing is paused.
 */
bool vm_pause_others(struct vm *vm, const struct vcpu *self);
void vm_resume_others(struct vm *vm);

#endif
