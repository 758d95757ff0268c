/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one io_uring, run by one thread (the VM's event loop,
 * or a disk's I/O thread). Work is a struct loop_op whose done() runs on
 * the loop's thread when its completion arrives. Readers (stdin,
 * eventfds, signalfd) are loop ops that re-arm themselves; devices submit
 * their own I/O (virtio-blk) the same way.
 *
 * A loop may also have pollers: sources it checks itself on every turn
 * (a device's virtqueues). While they keep finding work, and for an idle
 * budget after (adaptive, at most poll_max_ns), the loop spins instead of
 * sleeping, with the pollers' notifications off; only then does it arm
 * them (notifications on, recheck) and wait in io_uring_enter().
 */
#ifndef URSA_VMM_LOOP_H
#define URSA_VMM_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_RING_ENTRIES	256
#define LOOP_MAX_READERS	16
#define LOOP_READ_BUF		256
#define LOOP_MAX_POLLERS	4

struct loop_op;
/* res is the completion's result: >= 0, or a negative errno. */
typedef void (*loop_done_fn)(struct loop_op *op, int res);

struct loop_op {
	loop_done_fn done;
};

/* n > 0: bytes read. n == 0: end of file or an error (errno_val set); the
 * source is then dropped. */
typedef void (*loop_read_fn)(void *opaque, const uint8_t *buf, size_t n,
			     int errno_val);

struct loop_reader {
	struct loop_op op;
	struct loop *loop;
	int fd;
	loop_read_fn fn;
	void *opaque;
	uint8_t buf[LOOP_READ_BUF];
};

/*
 * A source the loop polls (loop thread only):
 * poll(): do the work there is (take available requests, publish
 * completions); true if there was any.
 * arm(): the loop is about to sleep: turn the source's notifications on
 * (they wake the loop through a reader) and recheck; true if work arrived
 * meanwhile, and the loop does not sleep.
 * disarm(): the loop polls again: notifications off.
 * Pollers start armed, as a virtqueue starts with notifications on.
 */
struct loop_poller {
	bool (*poll)(struct loop_poller *p);
	bool (*arm)(struct loop_poller *p);
	void (*disarm)(struct loop_poller *p);
};

/* What a loop with pollers did; read by its owner after it stopped. */
struct loop_poll_stats {
	unsigned long busy_turns;	/* turns that found work */
	unsigned long sleeps;		/* waits in io_uring_enter() */
};

struct loop {
	struct io_uring ring;
	bool ring_ready;
	struct loop_reader readers[LOOP_MAX_READERS];
	unsigned int nr_readers;
	struct loop_poller *pollers[LOOP_MAX_POLLERS];
	unsigned int nr_pollers;
	uint64_t poll_max_ns;	/* the idle budget's upper bound; 0: none */
	uint64_t poll_ns;	/* the idle budget now */
	struct loop_poll_stats stats;
	bool stop;
};

int loop_init(struct loop *loop);
void loop_destroy(struct loop *loop);

/* Start reading fd; fn is called for every chunk. 0 or a negative errno. */
int loop_add_reader(struct loop *loop, int fd, loop_read_fn fn, void *opaque);

/* Poll p on every turn, spinning up to poll_max_ns (the same for every
 * poller of the loop) when idle. 0 or -ENOSPC. */
int loop_add_poller(struct loop *loop, struct loop_poller *p, uint64_t poll_max_ns);

/*
 * A submission entry for op, to be prepared by the caller (io_uring_prep_*)
 * and submitted on the loop's next turn. Loop thread only. NULL when the
 * ring stays full even after submitting what is queued.
 */
struct io_uring_sqe *loop_get_sqe(struct loop *loop, struct loop_op *op);

/* Run until loop_stop() is called from a callback (or from another
 * thread that then wakes the loop, e.g. through a reader). 0 or a negative
 * errno. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);
/* Whether loop_stop() was called: no more done() will run. Any thread. */
bool loop_stopping(struct loop *loop);

#endif
