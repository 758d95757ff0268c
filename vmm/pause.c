// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <time.h>

#include "vmm/log.h"
#include "vmm/pause.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

/* How long vm_pause_others() waits for a vCPU to park: a vCPU thread
 * leaves KVM_RUN at once on a kick, so this is only ever a stuck one. */
#define PAUSE_TIMEOUT_NS	1000000000L
#define PAUSE_POLL_NS		10000000L	/* rechecks vm_stopping() */

static struct timespec after_ns(long ns)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);	/* the condition variable's clock */
	t.tv_nsec += ns;
	t.tv_sec += t.tv_nsec / 1000000000L;
	t.tv_nsec %= 1000000000L;
	return t;
}

/* Called with p->lock held: wait for the active pause to end, parked. */
static void park_locked(struct vcpu_pause *p)
{
	p->parked++;
	pthread_cond_broadcast(&p->cond);
	while (atomic_load(&p->active))
		pthread_cond_wait(&p->cond, &p->lock);
	p->parked--;
}

void vcpu_pause_park(struct vcpu_pause *p)
{
	pthread_mutex_lock(&p->lock);
	park_locked(p);
	pthread_mutex_unlock(&p->lock);
}

void vcpu_pause_gone(struct vcpu_pause *p)
{
	pthread_mutex_lock(&p->lock);
	p->gone++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

bool vm_pause_others(struct vm *vm, const struct vcpu *self)
{
	struct vcpu_pause *p = &vm->pause;
	unsigned int others = 0;
	long waited = 0;
	bool paused;

	pthread_mutex_lock(&p->lock);
	/* Another vCPU pauses first: this one counts as parked meanwhile. */
	while (atomic_load(&p->active))
		park_locked(p);
	atomic_store(&p->active, true);
	/* A vCPU whose thread has not started yet parks at its first loop. */
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (&vm->vcpus[i] != self) {
			others++;
			vcpu_kick(&vm->vcpus[i]);
		}
	}
	while (p->parked + p->gone < others && !vm_stopping(vm) &&
	       waited < PAUSE_TIMEOUT_NS) {
		struct timespec until = after_ns(PAUSE_POLL_NS);

		if (pthread_cond_timedwait(&p->cond, &p->lock, &until) == ETIMEDOUT)
			waited += PAUSE_POLL_NS;
	}
	paused = p->parked + p->gone >= others && !vm_stopping(vm);
	if (!paused) {
		if (!vm_stopping(vm))
			log_error("vCPU pause: %u of %u vCPUs out of KVM_RUN after 1 s",
				  p->parked + p->gone, others);
		atomic_store(&p->active, false);
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return paused;
}

void vm_resume_others(struct vm *vm)
{
	struct vcpu_pause *p = &vm->pause;

	pthread_mutex_lock(&p->lock);
	atomic_store(&p->active, false);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
