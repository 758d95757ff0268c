/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An I/O thread: a thread of its own running a struct loop, for a device
 * whose data path should not share the VM's event loop (a virtio-blk
 * disk polls its queues there). It confines itself with seccomp's I/O
 * role when it starts; a failure of its loop stops the VM through fatal().
 */
#ifndef URSA_VMM_IOTHREAD_H
#define URSA_VMM_IOTHREAD_H

#include <pthread.h>
#include <stdbool.h>

#include "vmm/loop.h"
#include "vmm/seccomp.h"

struct iothread {
	struct loop loop;
	bool loop_ready;
	int wake_fd;		/* eventfd: iothread_stop() wakes the loop */
	pthread_t thread;
	bool running;
	enum seccomp_mode seccomp;
	const char *name;	/* for messages: the device's */
	void (*fatal)(void *opaque);
	void *opaque;
};

/* The loop and its wake-up; the thread is not started. 0, or -1 with err. */
int iothread_init(struct iothread *t, const char *name, char *err, size_t errlen);
/* Start the thread. 0 or -errno. */
int iothread_start(struct iothread *t, enum seccomp_mode seccomp,
		   void (*fatal)(void *opaque), void *opaque);
/* Stop the loop and join the thread (nothing if not running). */
void iothread_stop(struct iothread *t);
/* Stop, then free the loop (requests still in the kernel are cancelled). */
void iothread_destroy(struct iothread *t);

#endif
