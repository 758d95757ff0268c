/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one io_uring, run by the main thread. Work is a struct
 * loop_op whose done() runs on the loop's thread when its completion
 * arrives. Readers (stdin, eventfds, signalfd) are loop ops that re-arm
 * themselves; devices submit their own I/O (virtio-blk) the same way.
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

struct loop {
	struct io_uring ring;
	bool ring_ready;
	struct loop_reader readers[LOOP_MAX_READERS];
	unsigned int nr_readers;
	bool stop;
};

int loop_init(struct loop *loop);
void loop_destroy(struct loop *loop);

/* Start reading fd; fn is called for every chunk. 0 or a negative errno. */
int loop_add_reader(struct loop *loop, int fd, loop_read_fn fn, void *opaque);

/*
 * A submission entry for op, to be prepared by the caller (io_uring_prep_*)
 * and submitted on the loop's next turn. Loop thread only. NULL when the
 * ring stays full even after submitting what is queued.
 */
struct io_uring_sqe *loop_get_sqe(struct loop *loop, struct loop_op *op);

/* Run until loop_stop() is called from a callback. 0 or a negative errno. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);
/* Whether loop_stop() was called: no more done() will run. Any thread. */
bool loop_stopping(struct loop *loop);

#endif
