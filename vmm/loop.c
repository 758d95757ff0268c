// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <time.h>

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

int loop_add_poller(struct loop *loop, struct loop_poller *p, uint64_t poll_max_ns)
{
	if (loop->nr_pollers == LOOP_MAX_POLLERS)
		return -ENOSPC;
	loop->pollers[loop->nr_pollers++] = p;
	loop->poll_max_ns = loop->poll_ns = poll_max_ns;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* Run every completion there is; true if there was one. */
static bool run_completions(struct loop *loop)
{
	struct io_uring_cqe *cqe;
	bool any = false;

	while (!loop->stop && !io_uring_peek_cqe(&loop->ring, &cqe)) {
		struct loop_op *op = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&loop->ring, cqe);
		op->done(op, res);
		any = true;
	}
	return any;
}

static bool poll_all(struct loop *loop)
{
	bool any = false;

	for (unsigned int i = 0; i < loop->nr_pollers; i++)
		any |= loop->pollers[i]->poll(loop->pollers[i]);
	return any;
}

/* Notifications on everywhere; true if work arrived meanwhile. */
static bool arm_all(struct loop *loop)
{
	bool any = false;

	for (unsigned int i = 0; i < loop->nr_pollers; i++)
		any |= loop->pollers[i]->arm(loop->pollers[i]);
	return any;
}

static void disarm_all(struct loop *loop)
{
	for (unsigned int i = 0; i < loop->nr_pollers; i++)
		loop->pollers[i]->disarm(loop->pollers[i]);
}

/* Below this the budget is not worth a clock read: no spinning. */
#define LOOP_POLL_MIN_NS	1000

/*
 * Adapt the idle budget to how long the loop was idle (spinning, then
 * sleeping) before work came: work that came within poll_max_ns would
 * have been caught by polling longer, so the budget doubles toward it;
 * longer gaps mean spinning is wasted, so it halves. (The policy of
 * QEMU's adaptive poll-max-ns, grow and shrink by 2.)
 */
static void adapt_budget(struct loop *loop, uint64_t idle_ns)
{
	if (idle_ns <= loop->poll_max_ns) {
		loop->poll_ns = loop->poll_ns < LOOP_POLL_MIN_NS ? LOOP_POLL_MIN_NS :
				2 * loop->poll_ns;
		if (loop->poll_ns > loop->poll_max_ns)
			loop->poll_ns = loop->poll_max_ns;
	} else {
		loop->poll_ns /= 2;
		if (loop->poll_ns < LOOP_POLL_MIN_NS)
			loop->poll_ns = 0;
	}
}

int loop_run(struct loop *loop)
{
	uint64_t idle_since = 0;	/* 0: the last turn found work */
	bool armed = true;

	while (!loop->stop) {
		bool busy = run_completions(loop);
		int ret;

		busy |= poll_all(loop);
		/* One submission for everything this turn queued. */
		if (io_uring_sq_ready(&loop->ring)) {
			ret = io_uring_submit(&loop->ring);
			if (ret < 0 && ret != -EINTR && ret != -EBUSY && ret != -EAGAIN)
				return ret;
			busy = true;
		}
		if (busy) {
			loop->stats.busy_turns += loop->nr_pollers != 0;
			if (armed && loop->nr_pollers)
				disarm_all(loop);
			armed = false;
			idle_since = 0;
			continue;
		}
		if (loop->poll_ns) {
			uint64_t t = now_ns();

			if (!idle_since)
				idle_since = t;
			if (t - idle_since < loop->poll_ns) {
				__builtin_ia32_pause();
				continue;
			}
		}
		if (!armed) {
			armed = true;
			if (arm_all(loop))
				continue;
		}
		if (loop->nr_pollers && !idle_since)
			idle_since = now_ns();
		ret = io_uring_submit_and_wait(&loop->ring, 1);
		if (ret < 0 && ret != -EINTR)
			return ret;
		if (loop->nr_pollers) {
			loop->stats.sleeps++;
			if (loop->poll_max_ns)
				adapt_budget(loop, now_ns() - idle_since);
		}
		idle_since = 0;
	}
	return 0;
}
