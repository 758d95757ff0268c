// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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

static void give_back(struct virtio_blk *b, struct blk_inflight *s)
{
	b->free_slots[b->nr_free++] = s - b->slots;
}

static void publish(struct virtio_blk *b)
{
	if (virtq_publish(&b->vp.queues[0].vq))
		virtio_pci_queue_interrupt(&b->vp, 0);
}

static void complete(struct virtio_blk *b, struct blk_inflight *s, uint8_t status)
{
	b->requests++;
	b->errors += status != VIRTIO_BLK_S_OK;
	virtq_push(&b->vp.queues[0].vq, s->head,
		   blk_req_complete(&s->req, status));
	give_back(b, s);
}

/* Loop thread: the I/O of s finished with res (bytes, or -errno). */
static void io_done(struct loop_op *op, int res)
{
	struct blk_inflight *s = (struct blk_inflight *)op;
	struct virtio_blk *b = s->blk;
	int64_t want = s->req.op == BLK_OP_FLUSH ? 0 : s->req.data_len;

	pthread_mutex_lock(&b->vp.lock);
	if (s->generation != b->vp.generation) {
		/* The driver reset the device meanwhile: only reset() waits. */
		give_back(b, s);
		if (b->stale && !--b->stale)
			pthread_cond_broadcast(&b->drained);
	} else {
		/* A short transfer is an error: the capacity covers every
		 * sector, so only a failing file can end one early. */
		complete(b, s, res == want ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
		publish(b);
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

/* Start one request; true if it completed at once. */
static bool start(struct virtio_blk *b, struct blk_inflight *s)
{
	struct io_uring_sqe *sqe;
	uint8_t status = blk_req_parse(&b->chain, &b->disk, &s->req);

	if (status != VIRTIO_BLK_S_OK) {
		complete(b, s, status);
		return true;
	}
	if (s->req.op == BLK_OP_GET_ID) {
		blk_req_set_id(&s->req, b->serial);
		complete(b, s, VIRTIO_BLK_S_OK);
		return true;
	}
	sqe = loop_get_sqe(b->loop, &s->op);
	if (!sqe) {
		complete(b, s, VIRTIO_BLK_S_IOERR);
		return true;
	}
	switch (s->req.op) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, b->fd, s->req.iov, s->req.nr_iov, s->req.offset);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev2(sqe, b->fd, s->req.iov, s->req.nr_iov, s->req.offset,
				      write_flags(b));
		break;
	default:	/* BLK_OP_FLUSH */
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		break;
	}
	return false;
}

/* Loop thread, vp.lock held: take every available request. */
static void queue_notify(void *dev, unsigned int q)
{
	struct virtio_blk *b = to_blk(dev);
	struct virtq *vq = &b->vp.queues[q].vq;
	bool completed = false;

	do {
		virtq_notify_disable(vq);
		for (;;) {
			enum virtq_pop_result r;
			struct blk_inflight *s;

			/* At most queue-size heads are outstanding, so a slot is free. */
			if (!b->nr_free)
				break;
			r = virtq_pop(vq, &b->chain);
			if (r == VIRTQ_EMPTY)
				break;
			if (r == VIRTQ_BROKEN) {
				virtio_pci_needs_reset(&b->vp);
				return;
			}
			if (r == VIRTQ_MALFORMED) {
				virtq_push(vq, b->chain.head, 0);
				completed = true;
				continue;
			}
			s = &b->slots[b->free_slots[--b->nr_free]];
			s->generation = b->vp.generation;
			s->head = b->chain.head;
			completed |= start(b, s);
		}
	} while (b->nr_free && virtq_notify_enable(vq));
	if (completed)
		publish(b);
}

/*
 * vCPU thread, vp.lock held. Once the reset is done (status reads 0) the
 * driver owns its buffers again and may reuse them (VIRTIO 1.2 2.4,
 * 4.1.4.3.2), so no read may land in them afterwards: wait, with the lock
 * released, for the I/O already submitted to finish; those requests are
 * not completed (io_done() drops them by generation). A stopping loop
 * runs no more completions: stop waiting then, the VM is ending.
 */
static void reset(void *dev)
{
	struct virtio_blk *b = to_blk(dev);

	b->stale = VIRTIO_BLK_QUEUE_SIZE - b->nr_free;
	while (b->stale && !loop_stopping(b->loop)) {
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

int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_params *p,
		    const struct guest_memory *mem, struct loop *loop,
		    struct irq_router *router, int vm_fd, char *err, size_t errlen)
{
	const char *base = strrchr(p->path, '/');
	uint64_t bytes = 0;
	struct virtio_pci_params vpp = {
		.name = "virtio-blk",
		.virtio_id = VIRTIO_ID_BLOCK,
		.class_code = PCI_CLASS_STORAGE_OTHER,
		.nr_queues = 1,
		.queue_max_size = VIRTIO_BLK_QUEUE_SIZE,
		.features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
			    1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_RING_F_INDIRECT_DESC |
			    1ull << VIRTIO_RING_F_EVENT_IDX |
			    (p->read_only ? 1ull << VIRTIO_BLK_F_RO : 0),
		.config_size = sizeof(struct virtio_blk_config),
		.ops = &blk_ops,
		.dev = b,
	};

	memset(b, 0, sizeof(*b));
	b->loop = loop;
	if (open_backing(b, p, &bytes, err, errlen))
		goto fail;
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
	for (unsigned int i = 0; i < VIRTIO_BLK_QUEUE_SIZE; i++) {
		b->slots[i].op.done = io_done;
		b->slots[i].blk = b;
		b->free_slots[i] = i;
	}
	b->nr_free = VIRTIO_BLK_QUEUE_SIZE;
	if (virtio_pci_init(&b->vp, &vpp, mem, loop, router, vm_fd, err, errlen)) {
		close(b->fd);
		return -1;
	}
	init_drained(b);
	return 0;
fail:
	if (b->fd >= 0)
		close(b->fd);
	return -1;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	pthread_cond_destroy(&b->drained);
	virtio_pci_destroy(&b->vp);
	close(b->fd);
}
