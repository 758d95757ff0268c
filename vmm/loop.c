// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "vmm/loop.h"

int loop_init(struct loop *loop)
{
	int ret;

	*loop = (struct loop){ 0 };
	ret = io_uring_queue_init(LOOP_RING_ENTRIES, &loop->ring, 0);
	loop->ring_ready = !ret;
	return ret;
}

void loop_destroy(struct loop *loop)
{
	if (loop->ring_ready)
		io_uring_queue_exit(&loop->ring);
	loop->ring_ready = false;
}

struct io_uring_sqe *loop_get_sqe(struct loop *loop, struct loop_op *op)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&loop->ring);

	if (!sqe && io_uring_submit(&loop->ring) >= 0)
		sqe = io_uring_get_sqe(&loop->ring);
	if (sqe)
		io_uring_sqe_set_data(sqe, op);
	return sqe;
}

static int arm_reader(struct loop_reader *r)
{
	struct io_uring_sqe *sqe = loop_get_sqe(r->loop, &r->op);

	if (!sqe)
		return -EBUSY;
	/* Offset -1: read at the file position, as read(2) would (pipes, ttys). */
	io_uring_prep_read(sqe, r->fd, r->buf, sizeof(r->buf), (uint64_t)-1);
	return 0;
}

static void reader_done(struct loop_op *op, int res)
{
	struct loop_reader *r = (struct loop_reader *)op;

	if (res == -EINTR || res == -EAGAIN) {
		arm_reader(r);
	} else if (res > 0) {
		r->fn(r->opaque, r->buf, res, 0);
		arm_reader(r);
	} else {
		r->fn(r->opaque, r->buf, 0, -res);
	}
}

int loop_add_reader(struct loop *loop, int fd, loop_read_fn fn, void *opaque)
{
	struct loop_reader *r;

	if (loop->nr_readers == LOOP_MAX_READERS)
		return -ENOSPC;
	r = &loop->readers[loop->nr_readers++];
	*r = (struct loop_reader){
		.op = { reader_done },
		.loop = loop,
		.fd = fd,
		.fn = fn,
		.opaque = opaque,
	};
	return arm_reader(r);
}

void loop_stop(struct loop *loop)
{
	__atomic_store_n(&loop->stop, true, __ATOMIC_RELEASE);
}

bool loop_stopping(struct loop *loop)
{
	return __atomic_load_n(&loop->stop, __ATOMIC_ACQUIRE);
}

int loop_run(struct loop *loop)
{
	while (!loop->stop) {
		struct io_uring_cqe *cqe;
		int ret = io_uring_submit_and_wait(&loop->ring, 1);

		if (ret == -EINTR)
			continue;
		if (ret < 0)
			return ret;
		while (!loop->stop && !io_uring_peek_cqe(&loop->ring, &cqe)) {
			struct loop_op *op = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(&loop->ring, cqe);
			op->done(op, res);
		}
	}
	return 0;
}
