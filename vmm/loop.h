/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The event loop: one io_uring, run by the main thread. Sources are file
 * descriptors read with IORING_OP_READ; their callbacks run on the loop's
 * thread, one at a time.
 */
#ifndef URSA_VMM_LOOP_H
#define URSA_VMM_LOOP_H

#include <liburing.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_MAX_READERS	8
#define LOOP_READ_BUF		256

/* n > 0: bytes read. n == 0: end of file or an error (errno_val set); the
 * source is then dropped. */
typedef void (*loop_read_fn)(void *opaque, const uint8_t *buf, size_t n,
			     int errno_val);

struct loop_reader {
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

/* Run until loop_stop() is called from a callback. 0 or a negative errno. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop);

#endif
