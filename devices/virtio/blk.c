// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "devices/virtio/blk.h"
#include "vmm/log.h"

#define PCI_CLASS_STORAGE_OTHER	0x018000
/* Segments per request the driver may use (data only: header and status
 * take two more of VIRTQ_MAX_SEGS). */
#define BLK_SEG_MAX		126

static struct virtio_blk *to_blk(void *dev)
{
	return dev;
}

static void config_read(void *dev, uint64_t offset, uint8_t *data, unsigned int size)
{
	const uint8_t *cfg = (const uint8_t *)&to_blk(dev)->config;

	for (unsigned int i = 0; i < size; i++)
		data[i] = offset + i < sizeof(struct virtio_blk_config) ? cfg[offset + i] : 0;
}

/* Nothing in the configuration is writable without CONFIG_WCE. */
static void config_write(void *dev, uint64_t offset, const uint8_t *data,
			 unsigned int size)
{
	(void)dev;
	(void)offset;
	(void)data;
	(void)size;
}

static void give_back(struct blk_queue *q, struct blk_inflight *s)
{
	q->free_slots[q->nr_free++] = s - q->slots;
}

static struct virtq *vq_of(struct blk_queue *q)
{
	return &q->blk->vp.queues[q->index].vq;
}

static void push(struct blk_queue *q, uint16_t head, uint32_t len)
{
	virtq_push(vq_of(q), head, len);
	q->unpublished = true;
}

static void complete(struct blk_queue *q, struct blk_inflight *s, uint8_t status)
{
	struct virtio_blk *b = q->blk;

	b->requests++;
	b->errors += status != VIRTIO_BLK_S_OK;
	push(q, s->head, blk_req_complete(&s->req, status));
	give_back(q, s);
}

/* Make the queue's completions visible; one interrupt for all of them,
 * if the driver asks for one (virtq_publish()). */
static bool publish(struct blk_queue *q)
{
	struct virtio_blk *b = q->blk;

	if (!q->unpublished)
		return false;
	q->unpublished = false;
	if (virtq_publish(vq_of(q))) {
		b->interrupts++;
		virtio_pci_queue_interrupt(&b->vp, q->index);
	}
	return true;
}

/*
 * I/O thread: the I/O of s finished with res (bytes, or -errno). The
 * completion is pushed now and published by the same loop turn's poll,
 * together with the others of the turn.
 */
static void io_done(struct loop_op *op, int res)
{
	struct blk_inflight *s = (struct blk_inflight *)op;
	struct blk_queue *q = s->q;
	struct virtio_blk *b = q->blk;
	int64_t want = s->req.op == BLK_OP_FLUSH ? 0 : s->req.data_len;

	pthread_mutex_lock(&b->vp.lock);
	if (s->generation != b->vp.generation) {
		/* The driver reset the device meanwhile: only reset() waits. */
		give_back(q, s);
		if (b->stale && !--b->stale)
			pthread_cond_broadcast(&b->drained);
	} else {
		/* A short transfer is an error: the capacity covers every
		 * sector, so only a failing file can end one early. */
		complete(q, s, res == want ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	}
	pthread_mutex_unlock(&b->vp.lock);
}

/*
 * VIRTIO 1.2 5.2.6.2: with VIRTIO_BLK_F_FLUSH negotiated, a completed write
 * becomes stable when a FLUSH sent after it (fdatasync here) completes. A
 * driver that did not negotiate it (ursa offers it, and not CONFIG_WCE)
 * gets stable writes: "the device MUST ensure that stable writes are
 * committed to it, before reporting completion of the write". RWF_DSYNC
 * makes the write's data reach the disk before it completes.
 */
static int write_flags(const struct virtio_blk *b)
{
	return b->vp.driver_features & (1ull << VIRTIO_BLK_F_FLUSH) ? 0 : RWF_DSYNC;
}

/*
 * The request's I/O on the disk's file, registered with the ring as fixed
 * file 0 (IOSQE_FIXED_FILE: no file lookup per request). A single data
 * segment, the common case, goes as a plain read or write: the kernel
 * then has no iovec array to copy in (io_import_rw_buffer()).
 */
static void prep_io(struct virtio_blk *b, struct io_uring_sqe *sqe,
		    const struct blk_req *req)
{
	const struct iovec *iov = req->iov;

	switch (req->op) {
	case BLK_OP_READ:
		if (req->nr_iov == 1)
			io_uring_prep_read(sqe, 0, iov->iov_base, iov->iov_len, req->offset);
		else
			io_uring_prep_readv(sqe, 0, iov, req->nr_iov, req->offset);
		break;
	case BLK_OP_WRITE:
		if (req->nr_iov == 1)
			io_uring_prep_write(sqe, 0, iov->iov_base, iov->iov_len, req->offset);
		else
			io_uring_prep_writev(sqe, 0, iov, req->nr_iov, req->offset);
		sqe->rw_flags = write_flags(b);
		break;
	default:	/* BLK_OP_FLUSH */
		io_uring_prep_fsync(sqe, 0, IORING_FSYNC_DATASYNC);
		break;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
}

/* Start one request: completed at once, or its I/O queued for the
 * loop's submission at the end of this turn. */
static void start(struct blk_queue *q, struct blk_inflight *s)
{
	struct virtio_blk *b = q->blk;
	struct io_uring_sqe *sqe;
	uint8_t status = blk_req_parse(&b->chain, &b->disk, &s->req);

	if (status != VIRTIO_BLK_S_OK) {
		complete(q, s, status);
		return;
	}
	if (s->req.op == BLK_OP_GET_ID) {
		blk_req_set_id(&s->req, b->serial);
		complete(q, s, VIRTIO_BLK_S_OK);
		return;
	}
	sqe = loop_get_sqe(&b->io.loop, &s->op);
	if (!sqe) {
		complete(q, s, VIRTIO_BLK_S_IOERR);
		return;
	}
	prep_io(b, sqe, &s->req);
}

/* vp.lock held: take every request the driver has made available on q
 * (only what avail.idx covers: virtq_pop() reads nothing beyond it).
 * true if there was one. */
static bool take(struct blk_queue *q)
{
	struct virtio_blk *b = q->blk;
	struct virtq *vq = vq_of(q);
	bool any = false;

	/* At most queue-size heads are outstanding, so a slot is free
	 * whenever the driver can have made one more available. */
	while (q->nr_free) {
		enum virtq_pop_result r = virtq_pop(vq, &b->chain);
		struct blk_inflight *s;

		if (r == VIRTQ_EMPTY)
			break;
		any = true;
		if (r == VIRTQ_BROKEN) {
			virtio_pci_needs_reset(&b->vp);
			break;
		}
		if (r == VIRTQ_MALFORMED) {
			push(q, b->chain.head, 0);
			continue;
		}
		s = &q->slots[q->free_slots[--q->nr_free]];
		s->generation = b->vp.generation;
		s->head = b->chain.head;
		start(q, s);
	}
	return any;
}

/* I/O thread, vp.lock held: a doorbell of queue q rang. */
static void queue_notify(void *dev, unsigned int q)
{
	take(&to_blk(dev)->queues[q]);
}

static struct virtio_blk *poller_blk(struct loop_poller *p)
{
	return (struct virtio_blk *)((char *)p - offsetof(struct virtio_blk, poller));
}

/* The loop's turn: publish what completed, take what is available. */
static bool poll_queues(struct loop_poller *p)
{
	struct virtio_blk *b = poller_blk(p);
	bool any = false;

	pthread_mutex_lock(&b->vp.lock);
	for (unsigned int i = 0; i < b->nr_queues; i++) {
		any |= publish(&b->queues[i]);
		if (virtio_pci_queue_ready(&b->vp, i))
			any |= take(&b->queues[i]);
	}
	/* A request that completed at once is published in this turn too. */
	for (unsigned int i = 0; i < b->nr_queues; i++)
		publish(&b->queues[i]);
	pthread_mutex_unlock(&b->vp.lock);
	return any;
}

/* About to sleep: doorbells on (2.7.10), then look once more. */
static bool arm_queues(struct loop_poller *p)
{
	struct virtio_blk *b = poller_blk(p);
	bool more = false;

	pthread_mutex_lock(&b->vp.lock);
	for (unsigned int i = 0; i < b->nr_queues; i++)
		if (virtio_pci_queue_ready(&b->vp, i))
			more |= virtq_notify_enable(vq_of(&b->queues[i]));
	pthread_mutex_unlock(&b->vp.lock);
	return more;
}

/* Polling: the driver need not ring. */
static void disarm_queues(struct loop_poller *p)
{
	struct virtio_blk *b = poller_blk(p);

	pthread_mutex_lock(&b->vp.lock);
	for (unsigned int i = 0; i < b->nr_queues; i++)
		if (virtio_pci_queue_ready(&b->vp, i))
			virtq_notify_disable(vq_of(&b->queues[i]));
	pthread_mutex_unlock(&b->vp.lock);
}

static unsigned int in_flight(const struct virtio_blk *b)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < b->nr_queues; i++)
		n += VIRTIO_BLK_QUEUE_SIZE - b->queues[i].nr_free;
	return n;
}

/*
 * vCPU thread, vp.lock held. Once the reset is done (status reads 0) the
 * driver owns its buffers again and may reuse them (VIRTIO 1.2 2.4,
 * 4.1.4.3.2), so no read may land in them afterwards: wait, with the lock
 * released, for the I/O already submitted to finish; those requests are
 * not completed (io_done() drops them by generation). A stopping I/O
 * thread runs no more completions: stop waiting then, the VM is ending.
 */
static void reset(void *dev)
{
	struct virtio_blk *b = to_blk(dev);

	for (unsigned int i = 0; i < b->nr_queues; i++)
		b->queues[i].unpublished = false;
	b->stale = in_flight(b);
	while (b->stale && !loop_stopping(&b->io.loop)) {
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += 10 * 1000 * 1000;
		if (t.tv_nsec >= 1000 * 1000 * 1000) {
			t.tv_sec++;
			t.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&b->drained, &b->vp.lock, &t);
	}
}

static const struct virtio_device_ops blk_ops = {
	.config_read = config_read,
	.config_write = config_write,
	.queue_notify = queue_notify,
	.reset = reset,
};

static int open_backing(struct virtio_blk *b, const struct virtio_blk_params *p,
			uint64_t *bytes, char *err, size_t errlen)
{
	struct stat st;
	int flags = (p->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		    (p->direct ? O_DIRECT : 0);

	b->fd = open(p->path, flags);
	if (b->fd < 0) {
		set_error(err, errlen, "--disk '%s': %s", p->path, strerror(errno));
		return -1;
	}
	if (fstat(b->fd, &st) ||
	    (S_ISBLK(st.st_mode) ? ioctl(b->fd, BLKGETSIZE64, bytes) :
	     !S_ISREG(st.st_mode))) {
		set_error(err, errlen, "--disk '%s': not a regular file or block device",
			  p->path);
		return -1;
	}
	if (S_ISREG(st.st_mode))
		*bytes = st.st_size;
	if (*bytes < BLK_SECTOR_SIZE) {
		set_error(err, errlen, "--disk '%s': smaller than one 512-byte sector",
			  p->path);
		return -1;
	}
	return 0;
}

/* reset() waits on it with CLOCK_MONOTONIC deadlines. */
static void init_drained(struct virtio_blk *b)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&b->drained, &attr);
	pthread_condattr_destroy(&attr);
}

static int init_queues(struct virtio_blk *b, unsigned int n, char *err, size_t errlen)
{
	b->nr_queues = n;
	for (unsigned int i = 0; i < n; i++) {
		struct blk_queue *q = &b->queues[i];

		*q = (struct blk_queue){ .blk = b, .index = i };
		q->slots = calloc(VIRTIO_BLK_QUEUE_SIZE, sizeof(*q->slots));
		if (!q->slots) {
			set_error(err, errlen, "--disk: out of memory for queue %u", i);
			return -1;
		}
		for (unsigned int j = 0; j < VIRTIO_BLK_QUEUE_SIZE; j++) {
			q->slots[j].op.done = io_done;
			q->slots[j].q = q;
			q->free_slots[j] = j;
		}
		q->nr_free = VIRTIO_BLK_QUEUE_SIZE;
	}
	return 0;
}

static void free_queues(struct virtio_blk *b)
{
	for (unsigned int i = 0; i < b->nr_queues; i++)
		free(b->queues[i].slots);
	b->nr_queues = 0;
}

int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p,
		    const struct guest_memory *mem, struct irq_router *router,
		    int vm_fd, char *err, size_t errlen)
{
	const char *base = strrchr(p->path, '/');
	uint64_t bytes = 0;
	int ret;
	struct virtio_pci_params vpp = {
		.name = "virtio-blk",
		.virtio_id = VIRTIO_ID_BLOCK,
		.class_code = PCI_CLASS_STORAGE_OTHER,
		.nr_queues = p->queues,
		.queue_max_size = VIRTIO_BLK_QUEUE_SIZE,
		.features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			    1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_RING_F_INDIRECT_DESC |
			    1ull << VIRTIO_RING_F_EVENT_IDX |
			    (p->queues > 1 ? 1ull << VIRTIO_BLK_F_MQ : 0) |
			    (p->read_only ? 1ull << VIRTIO_BLK_F_RO : 0),
		.config_size = sizeof(struct virtio_blk_config),
		.ops = &blk_ops,
		.dev = b,
	};

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->poller = (struct loop_poller){ poll_queues, arm_queues, disarm_queues };
	if (p->queues < 1 || p->queues > VIRTIO_BLK_MAX_QUEUES) {
		set_error(err, errlen, "--disk '%s': queues=%u is not 1..%u", p->path,
			  p->queues, VIRTIO_BLK_MAX_QUEUES);
		return -1;
	}
	if (open_backing(b, p, &bytes, err, errlen))
		goto fail_fd;
	/* The serial (GET_ID) is the file's name, as much as fits. */
	strncpy(b->serial, base ? base + 1 : p->path, VIRTIO_BLK_ID_BYTES);
	b->disk = (struct blk_disk){
		.capacity = bytes / BLK_SECTOR_SIZE,
		.read_only = p->read_only,
	};
	/* Little-endian on x86, as the modern interface wants (VIRTIO 1.2 2.5). */
	b->config.capacity = b->disk.capacity;
	b->config.seg_max = BLK_SEG_MAX;
	b->config.blk_size = BLK_SECTOR_SIZE;
	b->config.num_queues = p->queues;
	if (init_queues(b, p->queues, err, errlen))
		goto fail_queues;
	if (iothread_init(&b->io, vpp.name, err, errlen))
		goto fail_queues;
	ret = io_uring_register_files(&b->io.loop.ring, &b->fd, 1);
	if (ret) {
		set_error(err, errlen, "--disk '%s': registering it with io_uring: %s",
			  p->path, strerror(-ret));
		goto fail_io;
	}
	if (loop_add_poller(&b->io.loop, &b->poller, p->poll_us * 1000ull) ||
	    virtio_pci_init(&b->vp, &vpp, mem, &b->io.loop, router, vm_fd, err, errlen))
		goto fail_io;
	init_drained(b);
	return 0;
fail_io:
	iothread_destroy(&b->io);
fail_queues:
	free_queues(b);
fail_fd:
	if (b->fd >= 0)
		close(b->fd);
	return -1;
}

int virtio_blk_start(struct virtio_blk *b, enum seccomp_mode seccomp,
		     void (*fatal)(void *opaque), void *opaque)
{
	return iothread_start(&b->io, seccomp, fatal, opaque);
}

void virtio_blk_stop(struct virtio_blk *b)
{
	iothread_stop(&b->io);
}

void virtio_blk_get_stats(const struct virtio_blk *b, struct virtio_blk_stats *s)
{
	*s = (struct virtio_blk_stats){
		.requests = b->requests,
		.errors = b->errors,
		.interrupts = b->interrupts,
		.poll = b->io.loop.stats,
	};
	for (unsigned int i = 0; i < b->nr_queues; i++)
		s->notifications += b->vp.queues[i].notifications;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	/* The thread first: nothing may complete into a device being freed. */
	iothread_destroy(&b->io);
	pthread_cond_destroy(&b->drained);
	virtio_pci_destroy(&b->vp);
	free_queues(b);
	close(b->fd);
}
