// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/iothread.h"
#include "vmm/log.h"

/* The wake-up carries nothing: the loop checks loop_stopping() each turn. */
static void on_wake(void *opaque, const uint8_t *buf, size_t n, int errno_val)
{
	(void)opaque;
	(void)buf;
	(void)n;
	(void)errno_val;
}

int iothread_init(struct iothread *t, const char *name, char *err, size_t errlen)
{
	int ret;

	*t = (struct iothread){ .wake_fd = -1, .name = name };
	ret = loop_init(&t->loop);
	if (ret) {
		set_error(err, errlen, "%s: I/O thread's io_uring: %s", name, strerror(-ret));
		return -1;
	}
	t->loop_ready = true;
	t->wake_fd = eventfd(0, EFD_CLOEXEC);
	ret = t->wake_fd < 0 ? -errno : loop_add_reader(&t->loop, t->wake_fd, on_wake, t);
	if (ret) {
		set_error(err, errlen, "%s: I/O thread's wake-up: %s", name, strerror(-ret));
		iothread_destroy(t);
		return -1;
	}
	return 0;
}

static void *run(void *arg)
{
	struct iothread *t = arg;
	int ret = seccomp_confine(t->seccomp, SECCOMP_ROLE_IO);

	if (ret) {
		log_error("seccomp: confining %s's I/O thread: %s (--seccomp off runs without)",
			  t->name, strerror(-ret));
		t->fatal(t->opaque);
		return NULL;
	}
	ret = loop_run(&t->loop);
	if (ret) {
		log_error("%s: I/O thread: %s", t->name, strerror(-ret));
		t->fatal(t->opaque);
	}
	return NULL;
}

int iothread_start(struct iothread *t, enum seccomp_mode seccomp,
		   void (*fatal)(void *opaque), void *opaque)
{
	int ret;

	t->seccomp = seccomp;
	t->fatal = fatal;
	t->opaque = opaque;
	ret = pthread_create(&t->thread, NULL, run, t);
	if (ret)
		return -ret;
	t->running = true;
	return 0;
}

void iothread_stop(struct iothread *t)
{
	uint64_t one = 1;

	if (!t->running)
		return;
	loop_stop(&t->loop);
	if (write(t->wake_fd, &one, sizeof(one)) != sizeof(one))
		log_error("%s: waking the I/O thread: %s", t->name, strerror(errno));
	pthread_join(t->thread, NULL);
	t->running = false;
}

void iothread_destroy(struct iothread *t)
{
	iothread_stop(t);
	if (t->loop_ready)
		loop_destroy(&t->loop);
	if (t->wake_fd >= 0)
		close(t->wake_fd);
	t->loop_ready = false;
	t->wake_fd = -1;
}
