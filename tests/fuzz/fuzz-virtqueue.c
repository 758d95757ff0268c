// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split virtqueue (devices/virtio/virtqueue.c) against a hostile
 * driver: descriptor tables, indirect tables and rings are whatever the
 * input puts in guest RAM, and the driver keeps rewriting RAM between the
 * device's pops, pushes, publishes and notification changes.
 *
 * Guest RAM is two small ranges, [0, 16K) and [32K, 36K): buffers that run
 * off a range or into the hole between them must be refused, even though
 * the host memory behind the two ranges is contiguous.
 *
 * Input: a header (features, queue size, the three area addresses), an
 * image of guest RAM from gpa 0, then operations. Checked:
 * - virtq_enable() accepts exactly the configurations VIRTIO 1.2 2.7
 *   allows (size a power of two up to 32768, areas aligned and wholly in
 *   RAM);
 * - a popped chain references guest RAM only: every segment lies inside
 *   one RAM range, none is empty, readable segments come first, the
 *   counts and byte totals add up and fit 32 bits, and there are at most
 *   VIRTQ_MAX_SEGS; a malformed chain yields no segment; heads are below
 *   the queue size; a broken queue stays broken; EMPTY means nothing is
 *   available;
 * - virtq_push() succeeds exactly for a known head while one is
 *   outstanding, and virtq_publish() makes used.idx in RAM the count of
 *   pushes.
 */
#include <endian.h>
#include <errno.h>

#include "fuzz.h"
#include "devices/virtio/virtqueue.h"
#include "vmm/memory.h"

#define LOW_SIZE	0x4000ull
#define HIGH_GPA	0x8000ull
#define HIGH_SIZE	0x1000ull

static struct guest_memory mem;
static struct virtq vq;
static struct virtq_chain chain;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct layout l = {
		.ram = { { 0, LOW_SIZE }, { HIGH_GPA, HIGH_SIZE } },
		.nr_ram = 2,
		.ram_below_4g = HIGH_GPA + HIGH_SIZE,
		.gpa_limit = 1ull << 36,
	};
	char err[256];

	(void)argc;
	(void)argv;
	FUZZ_CHECK(!memory_create(&mem, &l, err, sizeof(err)));
	return 0;
}

/* [gpa, gpa + len) inside one RAM range, computed independently of
 * gpa_to_hva(). */
static bool in_ram(uint64_t gpa, uint64_t len)
{
	return (gpa < LOW_SIZE && len <= LOW_SIZE - gpa) ||
	       (gpa >= HIGH_GPA && gpa - HIGH_GPA < HIGH_SIZE &&
		len <= HIGH_SIZE - (gpa - HIGH_GPA));
}

/* The host segment [p, p + len) lies inside one RAM range. */
static bool host_in_ram(const uint8_t *p, size_t len)
{
	for (unsigned int i = 0; i < mem.nr_ranges; i++) {
		const struct guest_ram_range *r = &mem.ranges[i];

		if (p >= r->hva && p < r->hva + r->size &&
		    len <= (size_t)(r->hva + r->size - p))
			return true;
	}
	return false;
}

static bool enable_ok(const struct virtq_config *cfg)
{
	uint16_t s = cfg->size;

	return s && !(s & (s - 1)) && !(cfg->desc_gpa % 16) &&
	       !(cfg->avail_gpa % 2) && !(cfg->used_gpa % 4) &&
	       in_ram(cfg->desc_gpa, 16ull * s) &&
	       in_ram(cfg->avail_gpa, 6 + 2ull * s) &&
	       in_ram(cfg->used_gpa, 6 + 8ull * s);
}

static void check_chain(void)
{
	uint64_t readable = 0, writable = 0;
	unsigned int nr = chain.nr_readable + chain.nr_writable;

	FUZZ_CHECK(chain.head < vq.size);
	FUZZ_CHECK(nr <= VIRTQ_MAX_SEGS);
	for (unsigned int i = 0; i < nr; i++) {
		const struct iovec *v = &chain.iov[i];

		FUZZ_CHECK(v->iov_len > 0);
		FUZZ_CHECK(host_in_ram(v->iov_base, v->iov_len));
		if (i < chain.nr_readable)
			readable += v->iov_len;
		else
			writable += v->iov_len;
	}
	FUZZ_CHECK(readable == chain.readable_len);
	FUZZ_CHECK(writable == chain.writable_len);
	FUZZ_CHECK(readable + writable <= UINT32_MAX);
}

struct run {
	struct virtq_config cfg;
	bool enabled, broken;
	unsigned int inflight;
	uint16_t heads[16];	/* some popped heads, to give back */
	unsigned int nr_heads;
	uint16_t pushed;	/* used.idx once published */
};

static void enable(struct run *r)
{
	int ret = virtq_enable(&vq, &mem, &r->cfg);

	FUZZ_CHECK(ret == (enable_ok(&r->cfg) ? 0 : -EINVAL));
	*r = (struct run){ .cfg = r->cfg, .enabled = !ret };
}

static void pop(struct run *r)
{
	enum virtq_pop_result res = virtq_pop(&vq, &chain);

	if (!r->enabled || r->broken) {
		FUZZ_CHECK(res == VIRTQ_BROKEN);
		return;
	}
	switch (res) {
	case VIRTQ_EMPTY:
		FUZZ_CHECK(!virtq_has_avail(&vq));
		return;
	case VIRTQ_CHAIN:
		check_chain();
		break;
	case VIRTQ_MALFORMED:
		FUZZ_CHECK(chain.head < vq.size);
		FUZZ_CHECK(!chain.nr_readable && !chain.nr_writable &&
			   !chain.readable_len && !chain.writable_len);
		break;
	case VIRTQ_BROKEN:
		r->broken = true;
		FUZZ_CHECK(virtq_pop(&vq, &chain) == VIRTQ_BROKEN);
		return;
	default:
		FUZZ_CHECK(!"virtq_pop() result");
	}
	r->inflight++;
	if (r->nr_heads < sizeof(r->heads) / sizeof(r->heads[0]))
		r->heads[r->nr_heads++] = chain.head;
}

static void push(struct run *r, uint16_t head, uint32_t len)
{
	bool ok = r->enabled && head < r->cfg.size && r->inflight;

	FUZZ_CHECK(virtq_push(&vq, head, len) == (ok ? 0 : -EINVAL));
	if (ok) {
		r->inflight--;
		r->pushed++;
	}
}

static void publish(struct run *r)
{
	uint16_t idx;

	virtq_publish(&vq);
	if (!r->enabled)
		return;
	memcpy(&idx, gpa_to_hva(&mem, r->cfg.used_gpa + 2, 2), 2);
	FUZZ_CHECK(le16toh(idx) == r->pushed);
}

/* The driver writes guest RAM. */
static void guest_write(struct fuzz_input *in)
{
	uint16_t gpa = fz_u16(in) % (LOW_SIZE + HIGH_SIZE);
	const uint8_t *p;
	size_t n = fz_bytes(in, fz_u8(in) % 17, &p);

	if (gpa >= LOW_SIZE)
		gpa = HIGH_GPA + gpa - LOW_SIZE;
	if (in_ram(gpa, n))
		memcpy(gpa_to_hva(&mem, gpa, n), p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t flags = fz_u8(&in);
	struct run r = { 0 };
	const uint8_t *image;
	size_t n;

	r.cfg.features = ((flags & 1) ? 1ull << VIRTIO_RING_F_INDIRECT_DESC : 0) |
			 ((flags & 2) ? 1ull << VIRTIO_RING_F_EVENT_IDX : 0);
	/* Mostly powers of two, sometimes anything. */
	r.cfg.size = (flags & 4) ? fz_u16(&in) : 1u << (fz_u8(&in) % 16);
	r.cfg.desc_gpa = fz_u16(&in);
	r.cfg.avail_gpa = fz_u16(&in);
	r.cfg.used_gpa = fz_u16(&in);
	memset(mem.base, 0, mem.total);
	n = fz_bytes(&in, fz_u16(&in), &image);
	memcpy(mem.base, image, n < LOW_SIZE ? n : LOW_SIZE);

	virtq_disable(&vq);
	enable(&r);
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);

		switch (op % 8) {
		case 0:
		case 1:
			pop(&r);
			break;
		case 2:
			push(&r, r.nr_heads ? r.heads[fz_u8(&in) % r.nr_heads] : 0,
			     fz_u32(&in));
			break;
		case 3:
			push(&r, fz_u16(&in), fz_u32(&in));
			break;
		case 4:
			publish(&r);
			break;
		case 5:
			if (op & 8)
				FUZZ_CHECK(!virtq_notify_enable(&vq) || r.enabled);
			else
				virtq_notify_disable(&vq);
			break;
		case 6:
			guest_write(&in);
			break;
		default:
			if (op & 8) {
				virtq_disable(&vq);
				r = (struct run){ .cfg = r.cfg };
			} else {
				enable(&r);
			}
			break;
		}
	}
	return 0;
}
