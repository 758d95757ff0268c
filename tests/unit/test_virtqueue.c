// SPDX-License-Identifier: GPL-2.0-only
/*
 * The split virtqueue, driven through real rings in guest RAM by a
 * hostile driver: loops, bad indices and addresses, malformed indirect
 * tables, a runaway avail.idx, notification suppression across the 16-bit
 * index wrap, and a randomized walk over garbage rings.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "guest_ram.h"
#include "devices/virtio/virtqueue.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define G (1ull << 30)
#define M (1ull << 20)

/* RAM: [0, 16M) and [4G, 4G + 1M). */
#define RAM_END		(16 * M)
#define HIGH		(4 * G)
#define HIGH_END	(4 * G + M)

#define DESC_GPA	0x1000ull
#define AVAIL_GPA	0x3000ull
#define USED_GPA	0x4000ull
#define TABLE_GPA	0x8000ull	/* indirect tables */
#define BUF_GPA		0x100000ull	/* data buffers */

#define F_INDIRECT	(1ull << VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVENT_IDX	(1ull << VIRTIO_RING_F_EVENT_IDX)

static struct guest_memory mem;
static struct virtq vq;
static struct virtq_chain chain;
static uint16_t qsize;
static uint16_t drv_avail;	/* the driver's avail.idx */

static void *hva(uint64_t gpa, uint64_t len)
{
	return test_hva(&mem, gpa, len);
}

static void w16(uint64_t gpa, uint16_t v)
{
	v = htole16(v);
	memcpy(hva(gpa, 2), &v, 2);
}

static uint16_t r16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, hva(gpa, 2), 2);
	return le16toh(v);
}

static uint32_t r32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, hva(gpa, 4), 4);
	return le32toh(v);
}

/* A descriptor at gpa (a table entry anywhere). */
static void put_desc_at(uint64_t gpa, uint64_t addr, uint32_t len,
			uint16_t flags, uint16_t next)
{
	test_put_desc(&mem, gpa, addr, len, flags, next);
}

static void put_desc(unsigned int i, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	put_desc_at(DESC_GPA + 16ull * i, addr, len, flags, next);
}

/* Offer a chain: ring entry, then idx (the order 2.7.13 prescribes). */
static void offer(uint16_t head)
{
	w16(AVAIL_GPA + 4 + 2ull * (drv_avail % qsize), head);
	drv_avail++;
	w16(AVAIL_GPA + 2, drv_avail);
}

static uint64_t feats_default = F_INDIRECT;

static int setup_q(uint16_t size, uint64_t features)
{
	struct virtq_config cfg = {
		.size = size, .desc_gpa = DESC_GPA, .avail_gpa = AVAIL_GPA,
		.used_gpa = USED_GPA, .features = features,
	};

	/* A fresh ring, as a driver allocates it: all zero. */
	memset(hva(DESC_GPA, 16 * size), 0, 16 * size);
	memset(hva(AVAIL_GPA, 6 + 2 * size), 0, 6 + 2 * size);
	memset(hva(USED_GPA, 6 + 8 * size), 0, 6 + 8 * size);
	qsize = size;
	drv_avail = 0;
	return virtq_enable(&vq, &mem, &cfg);
}

static uint8_t *at(uint64_t gpa)
{
	return hva(gpa, 1);
}

/* Pop once, expecting a malformed chain with the given head; give it
 * back with len 0 as the API asks.
 */
static void expect_malformed(uint16_t head)
{
	enum virtq_pop_result r = virtq_pop(&vq, &chain);

	CHECK_EQ_U64(r, VIRTQ_MALFORMED);
	CHECK_EQ_U64(chain.head, head);
	CHECK_EQ_U64(chain.nr_readable + chain.nr_writable, 0);
	CHECK(!virtq_push(&vq, head, 0));
	virtq_publish(&vq);
}

static void test_enable(void)
{
	struct virtq_config cfg = {
		.size = 16, .desc_gpa = DESC_GPA, .avail_gpa = AVAIL_GPA,
		.used_gpa = USED_GPA,
	};
	struct virtq_config c;

	CHECK(!virtq_enable(&vq, &mem, &cfg));
	CHECK(vq.enabled);

	/* Sizes: powers of two 1..32768 only. */
	c = cfg;
	c.size = 0;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	CHECK(!vq.enabled);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	c.size = 3;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c.size = 1;
	CHECK(!virtq_enable(&vq, &mem, &c));
	c.size = 32768;
	c.desc_gpa = 0x200000;
	c.avail_gpa = 0x300000;
	c.used_gpa = 0x400000;
	CHECK(!virtq_enable(&vq, &mem, &c));

	/* Alignment: desc 16, avail 2, used 4. */
	c = cfg;
	c.desc_gpa += 8;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c = cfg;
	c.avail_gpa += 1;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c = cfg;
	c.used_gpa += 2;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);

	/* Areas that leave RAM, by a byte, or wrap around 2^64. */
	c = cfg;
	c.desc_gpa = RAM_END - 16 * 16;
	CHECK(!virtq_enable(&vq, &mem, &c));
	c.desc_gpa = RAM_END - 16 * 16 + 16;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c = cfg;
	c.avail_gpa = RAM_END - (6 + 2 * 16);
	CHECK(!virtq_enable(&vq, &mem, &c));
	c.avail_gpa += 2;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c = cfg;
	c.used_gpa = HIGH_END - (6 + 8 * 16) - 2;	/* 4-aligned, fits */
	CHECK(!virtq_enable(&vq, &mem, &c));
	c.used_gpa = HIGH_END - (6 + 8 * 16) + 2;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c.used_gpa = RAM_END;			/* in the hole */
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c.used_gpa = 0xfffffffffffffff0ull;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	c = cfg;
	c.desc_gpa = 0xfffffffffffffff0ull;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
	/* Running from the hole into the high range. */
	c = cfg;
	c.desc_gpa = HIGH - 16 * 8;
	CHECK(virtq_enable(&vq, &mem, &c) == -EINVAL);
}

static void test_direct(void)
{
	CHECK(!setup_q(16, feats_default));
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_EMPTY);

	/* header (readable) -> data (readable) -> status (writable) */
	put_desc(5, BUF_GPA, 16, VRING_DESC_F_NEXT, 9);
	put_desc(9, BUF_GPA + 0x1000, 512, VRING_DESC_F_NEXT, 2);
	put_desc(2, HIGH + 0x100, 1, VRING_DESC_F_WRITE, 0);
	offer(5);
	CHECK(virtq_has_avail(&vq));
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.head, 5);
	CHECK_EQ_U64(chain.nr_readable, 2);
	CHECK_EQ_U64(chain.nr_writable, 1);
	CHECK_EQ_U64(chain.readable_len, 528);
	CHECK_EQ_U64(chain.writable_len, 1);
	CHECK(chain.iov[0].iov_base == at(BUF_GPA));
	CHECK_EQ_U64(chain.iov[0].iov_len, 16);
	CHECK(chain.iov[1].iov_base == at(BUF_GPA + 0x1000));
	CHECK(virtq_chain_writable(&chain)[0].iov_base == at(HIGH + 0x100));
	CHECK(chain.iov[2].iov_base == mem.base + RAM_END + 0x100);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_EMPTY);
	CHECK(!virtq_has_avail(&vq));

	/* Nothing visible before publish; then id and len. */
	CHECK(!virtq_push(&vq, 5, 1));
	CHECK_EQ_U64(r16(USED_GPA + 2), 0);
	CHECK(virtq_publish(&vq));
	CHECK_EQ_U64(r16(USED_GPA + 2), 1);
	CHECK_EQ_U64(r32(USED_GPA + 4), 5);
	CHECK_EQ_U64(r32(USED_GPA + 8), 1);

	/* Pushing more than was popped, or a bad head: refused. */
	CHECK(virtq_push(&vq, 5, 1) == -EINVAL);
	offer(5);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK(virtq_push(&vq, 16, 1) == -EINVAL);

	/* Batching: two chains, one publish. */
	put_desc(0, BUF_GPA, 4096, VRING_DESC_F_WRITE, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable, 0);
	CHECK_EQ_U64(chain.writable_len, 4096);
	CHECK(!virtq_push(&vq, 5, 0));
	CHECK(!virtq_push(&vq, 0, 4096));
	CHECK(virtq_publish(&vq));
	CHECK_EQ_U64(r16(USED_GPA + 2), 3);
	CHECK_EQ_U64(r32(USED_GPA + 4 + 8 * 2), 0);
	CHECK_EQ_U64(r32(USED_GPA + 4 + 8 * 2 + 4), 4096);

	/* Size 1: the ring wraps on every entry. */
	CHECK(!setup_q(1, 0));
	put_desc(0, BUF_GPA, 8, 0, 0);
	for (int i = 0; i < 5; i++) {
		offer(0);
		CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
		CHECK(!virtq_push(&vq, 0, 0));
		virtq_publish(&vq);
	}
	CHECK_EQ_U64(r16(USED_GPA + 2), 5);
}

static void test_zero_len(void)
{
	CHECK(!setup_q(16, feats_default));
	/* A zero-length descriptor is skipped, whatever its address. */
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	put_desc(1, 0xdeadbeefdeadbeefull, 0, VRING_DESC_F_NEXT, 2);
	put_desc(2, BUF_GPA + 512, 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable, 1);
	CHECK_EQ_U64(chain.nr_writable, 1);
	CHECK_EQ_U64(chain.readable_len + chain.writable_len, 17);
	CHECK(!virtq_push(&vq, 0, 1));

	/* ... but it still obeys the readable-before-writable order. */
	put_desc(0, BUF_GPA, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(1, 0, 0, 0, 0);
	offer(0);
	expect_malformed(0);

	/* A chain of only zero-length descriptors: empty but valid. */
	put_desc(0, 0, 0, 0, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable + chain.nr_writable, 0);
	CHECK(!virtq_push(&vq, 0, 0));
}

static void test_bad_buffers(void)
{
	CHECK(!setup_q(16, feats_default));

	/* Out of RAM: in the hole, above everything. */
	put_desc(0, RAM_END, 1, 0, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, HIGH_END, 16, 0, 0);
	offer(0);
	expect_malformed(0);
	/* Straddling the end of a range. */
	put_desc(0, RAM_END - 8, 16, 0, 0);
	offer(0);
	expect_malformed(0);
	/* addr + len wrapping around 2^64. */
	put_desc(0, 0xfffffffffffffff0ull, 0x20, 0, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, UINT64_MAX, 1, 0, 0);
	offer(0);
	expect_malformed(0);
	/* Huge length from a valid address. */
	put_desc(0, 0, 0xffffffff, VRING_DESC_F_WRITE, 0);
	offer(0);
	expect_malformed(0);
	/* A bad buffer late in an otherwise good chain. */
	put_desc(3, BUF_GPA, 16, VRING_DESC_F_NEXT, 4);
	put_desc(4, BUF_GPA, 16, VRING_DESC_F_NEXT, 7);
	put_desc(7, HIGH_END - 1, 2, VRING_DESC_F_WRITE, 0);
	offer(3);
	expect_malformed(3);
	/* Exactly at the end: fine. */
	put_desc(7, HIGH_END - 2, 2, VRING_DESC_F_WRITE, 0);
	offer(3);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK(!virtq_push(&vq, 3, 2));

	/* next >= size. */
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 16);
	offer(0);
	expect_malformed(0);
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 0xffff);
	offer(0);
	expect_malformed(0);
	/* next >= size is fine when NEXT is not set (next is unused). */
	put_desc(0, BUF_GPA, 16, 0, 0xffff);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK(!virtq_push(&vq, 0, 0));

	/* Writable before readable. */
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA, 16, 0, 0);
	offer(0);
	expect_malformed(0);

	/* Unknown flag bits are ignored. */
	put_desc(0, BUF_GPA, 16, 0xfff8, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK(!virtq_push(&vq, 0, 0));
	/* The queue survives all of that. */
	CHECK(!vq.broken);
}

static void test_loops(void)
{
	CHECK(!setup_q(16, feats_default));

	/* Self-loop. */
	put_desc(0, BUF_GPA, 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect_malformed(0);
	/* 2-cycle. */
	put_desc(1, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	put_desc(2, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	offer(1);
	expect_malformed(1);
	/* A loop of zero-length descriptors (no segments to count). */
	put_desc(1, 0, 0, VRING_DESC_F_NEXT, 2);
	put_desc(2, 0, 0, VRING_DESC_F_NEXT, 1);
	offer(1);
	expect_malformed(1);
	/* A chain through every descriptor is the longest legal one. */
	for (unsigned int i = 0; i < 16; i++)
		put_desc(i, BUF_GPA, 1, i < 15 ? VRING_DESC_F_NEXT : 0, i + 1);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable, 16);
	CHECK(!virtq_push(&vq, 0, 0));
	/* Entering the full chain half way and looping back. */
	put_desc(15, BUF_GPA, 1, VRING_DESC_F_NEXT, 0);
	offer(8);
	expect_malformed(8);
}

static void test_indirect(void)
{
	CHECK(!setup_q(16, feats_default));

	/* A single indirect descriptor; its WRITE flag is ignored
	 * (2.7.5.3.2). Table entries use their own index space.
	 */
	put_desc_at(TABLE_GPA + 0, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	put_desc_at(TABLE_GPA + 32, BUF_GPA + 0x200, 512, VRING_DESC_F_NEXT, 1);
	put_desc_at(TABLE_GPA + 16, BUF_GPA + 0x1000, 1, VRING_DESC_F_WRITE, 99);
	put_desc(4, TABLE_GPA, 48, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	offer(4);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.head, 4);
	CHECK_EQ_U64(chain.nr_readable, 2);
	CHECK_EQ_U64(chain.nr_writable, 1);
	CHECK_EQ_U64(chain.readable_len, 528);
	CHECK(chain.iov[1].iov_base == at(BUF_GPA + 0x200));
	CHECK(chain.iov[2].iov_base == at(BUF_GPA + 0x1000));
	CHECK(!virtq_push(&vq, 4, 1));

	/* Mixed: direct descriptors, then the indirect one last. */
	put_desc(6, BUF_GPA + 0x3000, 16, VRING_DESC_F_NEXT, 7);
	put_desc(7, TABLE_GPA + 16, 32, VRING_DESC_F_INDIRECT, 0);
	/* table at +16: entries 0 = old [1] (writable), 1 = old [2] */
	put_desc_at(TABLE_GPA + 16, BUF_GPA + 0x200, 512, VRING_DESC_F_NEXT, 1);
	put_desc_at(TABLE_GPA + 32, BUF_GPA + 0x1000, 1, VRING_DESC_F_WRITE, 0);
	offer(6);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable, 2);
	CHECK_EQ_U64(chain.nr_writable, 1);
	CHECK(chain.iov[0].iov_base == at(BUF_GPA + 0x3000));
	CHECK(chain.iov[1].iov_base == at(BUF_GPA + 0x200));
	CHECK(!virtq_push(&vq, 6, 1));
	/* ... and writable direct descriptors before readable table
	 * entries break the order.
	 */
	put_desc(6, BUF_GPA + 0x3000, 16,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 7);
	offer(6);
	expect_malformed(6);

	/* An unaligned table address is legal (2.7.5.3 asks no
	 * alignment); it is read safely.
	 */
	put_desc_at(TABLE_GPA + 0x101, BUF_GPA, 16, 0, 0);
	put_desc(0, TABLE_GPA + 0x101, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.readable_len, 16);
	CHECK(!virtq_push(&vq, 0, 0));

	/* Indirect with NEXT too (2.7.5.3.1). */
	put_desc(0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	put_desc(1, BUF_GPA, 16, 0, 0);
	put_desc_at(TABLE_GPA, BUF_GPA, 16, 0, 0);
	offer(0);
	expect_malformed(0);
	/* Table lengths: 0, not a multiple of 16, too many entries. */
	put_desc(0, TABLE_GPA, 0, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, TABLE_GPA, 24, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, TABLE_GPA, 15, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, TABLE_GPA, 16 * (VIRTQ_MAX_SEGS + 1), VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, TABLE_GPA, 0xfffffff0, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	/* Table outside RAM, straddling its end, wrapping. */
	put_desc(0, RAM_END, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, RAM_END - 16, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	put_desc(0, 0xfffffffffffffff0ull, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	/* Nested indirect. */
	put_desc_at(TABLE_GPA, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	put_desc_at(TABLE_GPA + 16, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	put_desc(0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	/* next outside the table (what lies beyond it looks valid). */
	put_desc_at(TABLE_GPA + 16, BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	offer(0);
	expect_malformed(0);
	put_desc_at(TABLE_GPA + 16 * 7, BUF_GPA, 16, 0, 0);
	put_desc_at(TABLE_GPA, BUF_GPA, 16, VRING_DESC_F_NEXT, 7);
	offer(0);
	expect_malformed(0);
	put_desc_at(TABLE_GPA, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	/* Loops inside the table: self, 2-cycle. */
	put_desc_at(TABLE_GPA + 16, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	offer(0);
	expect_malformed(0);
	put_desc_at(TABLE_GPA + 16, BUF_GPA, 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect_malformed(0);
	/* ... of zero-length entries (no segment limit to stop it). */
	put_desc_at(TABLE_GPA, 0, 0, VRING_DESC_F_NEXT, 1);
	put_desc_at(TABLE_GPA + 16, 0, 0, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect_malformed(0);
	put_desc_at(TABLE_GPA, BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	/* A bad buffer inside the table. */
	put_desc_at(TABLE_GPA + 16, HIGH_END, 16, 0, 0);
	offer(0);
	expect_malformed(0);

	/* Without VIRTIO_F_INDIRECT_DESC negotiated, INDIRECT is bad. */
	CHECK(!setup_q(16, 0));
	put_desc_at(TABLE_GPA, BUF_GPA, 16, 0, 0);
	put_desc(0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
}

static void test_limits(void)
{
	unsigned int i;

	CHECK(!setup_q(16, feats_default));
	/* A full table of VIRTQ_MAX_SEGS one-byte buffers: fine. */
	for (i = 0; i < VIRTQ_MAX_SEGS; i++)
		put_desc_at(TABLE_GPA + 16ull * i, BUF_GPA + i, 1,
			    i + 1 < VIRTQ_MAX_SEGS ? VRING_DESC_F_NEXT : 0, i + 1);
	put_desc(0, TABLE_GPA, 16 * VIRTQ_MAX_SEGS, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.nr_readable, VIRTQ_MAX_SEGS);
	CHECK(chain.iov[VIRTQ_MAX_SEGS - 1].iov_base ==
	      at(BUF_GPA + VIRTQ_MAX_SEGS - 1));
	CHECK(!virtq_push(&vq, 0, 0));
	/* One direct segment in front: one too many. */
	put_desc(1, BUF_GPA, 1, VRING_DESC_F_NEXT, 0);
	offer(1);
	expect_malformed(1);

	/* More than 2^32 - 1 bytes in total: 256 x 16 MiB. */
	for (i = 0; i < 256; i++)
		put_desc_at(TABLE_GPA + 16ull * i, 0, RAM_END,
			    i < 255 ? VRING_DESC_F_NEXT : 0, i + 1);
	put_desc(0, TABLE_GPA, 16 * 256, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect_malformed(0);
	/* 255 x 16 MiB + (16 MiB - 1) = 2^32 - 1: the most allowed. */
	put_desc_at(TABLE_GPA + 16 * 255, 0, RAM_END - 1, 0, 0);
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	CHECK_EQ_U64(chain.readable_len, UINT32_MAX);
	CHECK(!virtq_push(&vq, 0, 0));
}

static void test_broken(void)
{
	CHECK(!setup_q(16, feats_default));
	put_desc(0, BUF_GPA, 16, 0, 0);

	/* Exactly size ahead is a full ring: fine. */
	for (int i = 0; i < 16; i++)
		offer(0);
	for (int i = 0; i < 16; i++) {
		CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
		CHECK(!virtq_push(&vq, 0, 0));
	}
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_EMPTY);
	virtq_publish(&vq);

	/* avail.idx jumps size + 1 ahead: broken, and stays so. */
	w16(AVAIL_GPA + 2, drv_avail + 17);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	CHECK(vq.broken);
	w16(AVAIL_GPA + 2, drv_avail + 1);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	CHECK(!virtq_has_avail(&vq));
	/* Going backwards is the same thing modulo 2^16. */
	CHECK(!setup_q(16, feats_default));
	put_desc(0, BUF_GPA, 16, 0, 0);
	w16(AVAIL_GPA + 2, 0xffff);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);

	/* A head index >= size: broken (it cannot be given back). */
	CHECK(!setup_q(16, feats_default));
	offer(16);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	/* Re-enabling (after a reset) starts afresh. */
	CHECK(!setup_q(16, feats_default));
	put_desc(0, BUF_GPA, 16, 0, 0);
	offer(0xffff);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	CHECK(!setup_q(16, feats_default));
	offer(0);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);

	/* A disabled queue pops nothing. */
	virtq_disable(&vq);
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_BROKEN);
	CHECK(virtq_push(&vq, 0, 0) == -EINVAL);
	CHECK(!virtq_publish(&vq));
}

/* One chain through: offer, pop, push; returns publish's verdict. */
static bool cycle(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		offer(0);
		if (virtq_pop(&vq, &chain) != VIRTQ_CHAIN)
			return false;
		virtq_push(&vq, 0, 0);
	}
	return virtq_publish(&vq);
}

#define USED_EVENT_GPA(size)	(AVAIL_GPA + 4 + 2 * (size))
#define AVAIL_EVENT_GPA(size)	(USED_GPA + 4 + 8 * (size))

static void test_notify(void)
{
	unsigned int i;
	int hits;

	/* Without EVENT_IDX: avail.flags. */
	CHECK(!setup_q(16, 0));
	put_desc(0, BUF_GPA, 16, 0, 0);
	CHECK(cycle(1));
	w16(AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	CHECK(!cycle(1));
	CHECK(!cycle(3));
	w16(AVAIL_GPA, 0);
	CHECK(cycle(2));
	/* Nothing new published: no interrupt. */
	CHECK(!virtq_publish(&vq));
	/* used_event is ignored without EVENT_IDX. */
	w16(USED_EVENT_GPA(16), 1000);
	CHECK(cycle(1));

	/* The device's side: used.flags. */
	virtq_notify_disable(&vq);
	CHECK_EQ_U64(r16(USED_GPA), VRING_USED_F_NO_NOTIFY);
	CHECK(!virtq_notify_enable(&vq));
	CHECK_EQ_U64(r16(USED_GPA), 0);
	virtq_notify_disable(&vq);
	offer(0);	/* arrives while kicks are off */
	CHECK(virtq_notify_enable(&vq));	/* the recheck sees it */
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	virtq_push(&vq, 0, 0);
	virtq_publish(&vq);

	/* With EVENT_IDX: used_event. */
	CHECK(!setup_q(16, F_EVENT_IDX));
	put_desc(0, BUF_GPA, 16, 0, 0);
	w16(USED_EVENT_GPA(16), 0);
	CHECK(cycle(1));		/* used.idx 0 -> 1 passes 0 */
	CHECK(!cycle(1));		/* 1 -> 2: used_event still 0 */
	w16(USED_EVENT_GPA(16), 4);
	CHECK(!cycle(1));		/* 2 -> 3 */
	CHECK(!cycle(1));		/* 3 -> 4 */
	CHECK(cycle(1));		/* 4 -> 5 passes 4 */
	w16(USED_EVENT_GPA(16), 6);
	CHECK(cycle(3));		/* 5 -> 8 in one batch passes 6 */
	w16(USED_EVENT_GPA(16), 7);	/* already behind */
	CHECK(!cycle(2));
	/* The flags bit is ignored with EVENT_IDX (2.7.7.2). */
	w16(AVAIL_GPA, VRING_AVAIL_F_NO_INTERRUPT);
	w16(USED_EVENT_GPA(16), 10);
	CHECK(cycle(1));		/* 10 -> 11 */
	w16(AVAIL_GPA, 0);

	/* The device's side: avail_event follows the ring, flags stay 0. */
	CHECK_EQ_U64(r16(AVAIL_EVENT_GPA(16)), 11);
	virtq_notify_disable(&vq);
	CHECK_EQ_U64(r16(USED_GPA), 0);
	cycle(2);
	CHECK_EQ_U64(r16(AVAIL_EVENT_GPA(16)), 11);	/* not advanced */
	CHECK(!virtq_notify_enable(&vq));
	CHECK_EQ_U64(r16(AVAIL_EVENT_GPA(16)), 13);
	virtq_notify_disable(&vq);
	offer(0);
	CHECK(virtq_notify_enable(&vq));
	CHECK_EQ_U64(virtq_pop(&vq, &chain), VIRTQ_CHAIN);
	virtq_push(&vq, 0, 0);
	virtq_publish(&vq);

	/*
	 * Across the wrap at 65535: run the indices up to 65530 (driver
	 * and device alike), then place used_event around the wrap.
	 */
	CHECK(!setup_q(16, F_EVENT_IDX));
	put_desc(0, BUF_GPA, 16, 0, 0);
	w16(USED_EVENT_GPA(16), 0x8000);
	hits = 0;
	for (i = 0; i < 65530; i++)
		hits += cycle(1);
	CHECK_EQ_U64(hits, 1);		/* exactly at 0x8000 -> 0x8001 */
	CHECK_EQ_U64(r16(USED_GPA + 2), 65530);
	w16(USED_EVENT_GPA(16), 65534);
	CHECK(!cycle(4));		/* 65530 -> 65534 */
	CHECK(cycle(1));		/* 65534 -> 65535 */
	w16(USED_EVENT_GPA(16), 1);
	CHECK(!cycle(1));		/* 65535 -> 0 */
	CHECK(cycle(2));		/* 0 -> 2 passes 1 */
	CHECK_EQ_U64(r16(USED_GPA + 2), 2);
	/* A batch straddling the wrap: 65533..2 around used_event 65535. */
	for (i = 0; i < 65531; i++)
		cycle(1);
	CHECK_EQ_U64(r16(USED_GPA + 2), 65533);
	w16(USED_EVENT_GPA(16), 65535);
	CHECK(cycle(5));		/* 65533 -> 2 */
	w16(USED_EVENT_GPA(16), 0);
	CHECK(!cycle(1));		/* 2 -> 3: 0 is behind */
	/* avail_event wraps with the ring too. */
	CHECK_EQ_U64(r16(AVAIL_EVENT_GPA(16)), 3);

	/* Without EVENT_IDX the wrap is a non-event. */
	CHECK(!setup_q(4, 0));
	put_desc(0, BUF_GPA, 16, 0, 0);
	hits = 0;
	for (i = 0; i < 65536 + 3; i++)
		hits += cycle(1);
	CHECK_EQ_U64(hits, 65536 + 3);
}

/* xorshift64*: fixed seed, reproducible. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* A guest address: mostly plausible, sometimes hostile. */
static uint64_t rnd_addr(void)
{
	switch (rnd() % 8) {
	case 0: return rnd();
	case 1: return RAM_END - rnd() % 64;
	case 2: return HIGH_END - rnd() % 64;
	case 3: return UINT64_MAX - rnd() % 64;
	case 4: return TABLE_GPA + 16 * (rnd() % 8);
	default: return rnd() % RAM_END;
	}
}

static uint32_t rnd_len(void)
{
	switch (rnd() % 6) {
	case 0: return 0;
	case 1: return (uint32_t)rnd();
	case 2: return 16 * (1 + rnd() % 16);
	default: return rnd() % 8192;
	}
}

static uint16_t rnd_flags(void)
{
	return rnd() % 4 ? rnd() % 8 : (uint16_t)rnd();
}

static uint16_t rnd_next(uint16_t size)
{
	return rnd() % 8 ? rnd() % size : (uint16_t)rnd();
}

static bool seg_in_ram(const struct iovec *v)
{
	const uint8_t *p = v->iov_base;

	return v->iov_len && p >= mem.base && p <= mem.base + mem.total &&
	       v->iov_len <= (size_t)(mem.base + mem.total - p);
}

static void test_random(void)
{
	unsigned int chains = 0, malformed = 0, broken = 0;
	bool ok = true;

	for (unsigned int iter = 0; iter < 4000; iter++) {
		uint16_t size = 1u << (rnd() % 9);
		uint64_t f = rnd() & (F_INDIRECT | F_EVENT_IDX);
		unsigned int i;

		CHECK(!setup_q(size, f));
		for (i = 0; i < size; i++)
			put_desc(i, rnd_addr(), rnd_len(), rnd_flags(),
				 rnd_next(size));
		/* Some indirect table material at TABLE_GPA. */
		for (i = 0; i < 64; i++)
			put_desc_at(TABLE_GPA + 16 * i, rnd_addr(), rnd_len(),
				    rnd_flags(), rnd() % 80);
		for (i = 0; i < size; i++)
			w16(AVAIL_GPA + 4 + 2 * i,
			    rnd() % 16 ? rnd() % size : (uint16_t)rnd());
		w16(AVAIL_GPA + 2, rnd() % 4 ? rnd() % (size + 1)
				   : (uint16_t)rnd());

		for (i = 0; i <= size; i++) {
			enum virtq_pop_result r = virtq_pop(&vq, &chain);
			unsigned int n = chain.nr_readable + chain.nr_writable;
			uint64_t rl = 0, wl = 0;

			if (r == VIRTQ_EMPTY)
				break;
			if (r == VIRTQ_BROKEN) {
				broken++;
				break;
			}
			if (r == VIRTQ_MALFORMED) {
				malformed++;
				ok &= chain.head < size && !n;
				ok &= !virtq_push(&vq, chain.head, 0);
				continue;
			}
			chains++;
			ok &= chain.head < size && n <= VIRTQ_MAX_SEGS;
			for (unsigned int s = 0; s < n && s < VIRTQ_MAX_SEGS; s++) {
				ok &= seg_in_ram(&chain.iov[s]);
				if (s < chain.nr_readable)
					rl += chain.iov[s].iov_len;
				else
					wl += chain.iov[s].iov_len;
			}
			ok &= rl == chain.readable_len && wl == chain.writable_len;
			ok &= !virtq_push(&vq, chain.head, chain.writable_len);
		}
		virtq_publish(&vq);
		if (!ok) {
			fprintf(stderr, "random: iteration %u failed\n", iter);
			break;
		}
	}
	CHECK(ok);
	/* The generator reaches every outcome. */
	CHECK(chains > 100);
	CHECK(malformed > 100);
	CHECK(broken > 100);
	printf("random: %u chains, %u malformed, %u broken\n", chains,
	       malformed, broken);
}

int main(void)
{
	struct layout l = {
		.ram = { { 0, RAM_END }, { HIGH, M } },
		.nr_ram = 2,
		.ram_below_4g = RAM_END,
		.gpa_limit = 1ull << 36,
	};
	char err[256];

	if (memory_create(&mem, &l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	test_enable();
	test_direct();
	test_zero_len();
	test_bad_buffers();
	test_loops();
	test_indirect();
	test_limits();
	test_broken();
	test_notify();
	test_random();
	memory_destroy(&mem);
	return check_report("virtqueue");
}
