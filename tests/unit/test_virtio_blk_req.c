// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk request parsing: chains built in guest RAM, popped from a
 * real virtqueue, parsed, and checked for every status outcome, split
 * headers, a missing status byte, the capacity edge and sector overflow,
 * plus a randomized run.
 */
#include <endian.h>
#include <stdlib.h>

#include "check.h"
#include "guest_ram.h"
#include "devices/virtio/blk_req.h"
#include "devices/virtio/virtqueue.h"
#include "vmm/layout.h"
#include "vmm/memory.h"

#define M (1ull << 20)
#define RAM_END		(64 * M)

#define DESC_GPA	0x1000ull
#define AVAIL_GPA	0x2000ull
#define USED_GPA	0x3000ull
#define TABLE_GPA	0x8000ull
#define HDR_GPA		0x10000ull
#define DATA_GPA	0x20000ull
#define STATUS_GPA	0x40000ull

#define QSIZE		64
#define CAPACITY	2048ull		/* sectors: a 1 MiB disk */

static struct guest_memory mem;
static struct virtq vq;
static struct virtq_chain chain;
static struct blk_req req;
static uint16_t drv_avail;
static struct blk_disk disk = { .capacity = CAPACITY };

static uint8_t *at(uint64_t gpa, uint64_t len)
{
	return test_hva(&mem, gpa, len);
}

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

static void put_desc_at(uint64_t gpa, uint64_t addr, uint32_t len,
			uint16_t flags, uint16_t next)
{
	test_put_desc(&mem, gpa, addr, len, flags, next);
}

/*
 * Offer segs as one chain (direct descriptors from 0, or one indirect
 * table) and pop it. Returns the pop result.
 */
static enum virtq_pop_result submit(const struct seg *segs, unsigned int n,
				    bool indirect)
{
	uint16_t v;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t flags = (i + 1 < n ? VRING_DESC_F_NEXT : 0) |
				 (segs[i].writable ? VRING_DESC_F_WRITE : 0);

		put_desc_at((indirect ? TABLE_GPA : DESC_GPA) + 16ull * i,
			    segs[i].gpa, segs[i].len, flags, i + 1);
	}
	if (indirect)
		put_desc_at(DESC_GPA, TABLE_GPA, 16 * n, VRING_DESC_F_INDIRECT, 0);
	v = htole16(0);
	memcpy(at(AVAIL_GPA + 4 + 2 * (drv_avail % QSIZE), 2), &v, 2);
	drv_avail++;
	v = htole16(drv_avail);
	memcpy(at(AVAIL_GPA + 2, 2), &v, 2);
	return virtq_pop(&vq, &chain);
}

static void put_hdr(uint64_t gpa, uint32_t type, uint64_t sector)
{
	uint32_t t = htole32(type), r = htole32(0xdeadbeef);
	uint64_t s = htole64(sector);

	memcpy(at(gpa, 16), &t, 4);
	memcpy(at(gpa, 16) + 4, &r, 4);	/* reserved: ignored */
	memcpy(at(gpa, 16) + 8, &s, 8);
}

/* Submit, parse, give the chain back; returns the parse status. */
static uint8_t parse(const struct seg *segs, unsigned int n)
{
	uint8_t st;

	if (submit(segs, n, false) != VIRTQ_CHAIN) {
		fprintf(stderr, "test bug: chain not popped\n");
		abort();
	}
	st = blk_req_parse(&chain, &disk, &req);
	virtq_push(&vq, chain.head, 0);
	virtq_publish(&vq);
	return st;
}

/* The common shapes. */
static uint8_t rw(uint32_t type, uint64_t sector, uint32_t len)
{
	struct seg s[] = {
		{ HDR_GPA, 16, false },
		{ DATA_GPA, len, type == VIRTIO_BLK_T_IN ||
				 type == VIRTIO_BLK_T_GET_ID },
		{ STATUS_GPA, 1, true },
	};

	put_hdr(HDR_GPA, type, sector);
	return parse(s, 3);
}

static void test_read_write(void)
{
	uint8_t *status = at(STATUS_GPA, 1);

	/* IN: header, writable data, status. */
	*status = 0xee;
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 8, 1024), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.op, BLK_OP_READ);
	CHECK_EQ_U64(req.type, VIRTIO_BLK_T_IN);
	CHECK_EQ_U64(req.sector, 8);
	CHECK_EQ_U64(req.offset, 8 * 512);
	CHECK_EQ_U64(req.data_len, 1024);
	CHECK_EQ_U64(req.nr_iov, 1);
	CHECK(req.iov[0].iov_base == at(DATA_GPA, 1));
	CHECK_EQ_U64(req.iov[0].iov_len, 1024);
	CHECK(req.status == status);
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 1025);
	CHECK_EQ_U64(*status, VIRTIO_BLK_S_OK);
	/* A failed read reports the status byte alone. */
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_IOERR), 1);
	CHECK_EQ_U64(*status, VIRTIO_BLK_S_IOERR);

	/* OUT: header, readable data, status. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, 0, 4096), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.op, BLK_OP_WRITE);
	CHECK_EQ_U64(req.data_len, 4096);
	CHECK(req.iov[0].iov_base == at(DATA_GPA, 1));
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 1);

	/* Zero-length transfers are no-ops, not errors. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.nr_iov, 0);

	/* Not a multiple of 512. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 513), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(req.op, BLK_OP_NONE);
	CHECK(req.status == status);
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_IOERR), 1);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, 0, 100), VIRTIO_BLK_S_IOERR);

	/* Read-only disk: OUT fails with IOERR (5.2.6.2), IN works. */
	disk.read_only = true;
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, 0, 512), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(req.op, BLK_OP_NONE);
	CHECK_EQ_U64(req.nr_iov, 0);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	disk.read_only = false;

	/* The data limit. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 16 * 512), VIRTIO_BLK_S_OK);
	disk.max_data = 4096;
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 4096), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 0, 4608), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, 0, 4608), VIRTIO_BLK_S_IOERR);
	disk.max_data = 0;
	{
		/* The default: BLK_REQ_MAX_DATA, at and past it. */
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ 2 * M, BLK_REQ_MAX_DATA / 2, true },
			{ 10 * M, BLK_REQ_MAX_DATA / 2, true },
			{ STATUS_GPA, 1, true },
		};

		disk.capacity = 1ull << 30;
		put_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
		CHECK_EQ_U64(parse(s, 4), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.nr_iov, 2);
		s[2].len += 512;
		CHECK_EQ_U64(parse(s, 4), VIRTIO_BLK_S_IOERR);
		disk.capacity = CAPACITY;
	}
}

static void test_range(void)
{
	/* Up to the last sector: fine; one past: IOERR. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, CAPACITY - 2, 1024), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, CAPACITY - 2, 1024), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, CAPACITY - 2, 1536), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, CAPACITY - 1, 1024), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, CAPACITY, 512), VIRTIO_BLK_S_IOERR);
	/* Empty at the very end is in range; one past is not. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, CAPACITY, 0), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, CAPACITY + 1, 0), VIRTIO_BLK_S_IOERR);
	/* sector + count wrapping around 2^64, sector * 512 overflowing. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, UINT64_MAX, 512), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT, UINT64_MAX - 1, 1024), VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, 1ull << 55, 512), VIRTIO_BLK_S_IOERR);

	/* A huge disk: offsets still fit off_t. */
	disk.capacity = UINT64_MAX;
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, BLK_MAX_CAPACITY - 1, 512),
		     VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.offset, (BLK_MAX_CAPACITY - 1) * 512);
	CHECK(req.offset + 512 <= (uint64_t)INT64_MAX);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, BLK_MAX_CAPACITY, 512),
		     VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, UINT64_MAX / 512 + 1, 512),
		     VIRTIO_BLK_S_IOERR);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_IN, UINT64_MAX, 512), VIRTIO_BLK_S_IOERR);
	disk.capacity = CAPACITY;
}

static void test_types(void)
{
	uint8_t *id = at(DATA_GPA, 32);
	uint8_t *status = at(STATUS_GPA, 1);

	/* FLUSH: no data; the sector is ignored; stray data is ignored. */
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ STATUS_GPA, 1, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_FLUSH, 12345);
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.op, BLK_OP_FLUSH);
		CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 1);
	}
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_FLUSH, 0, 512), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.op, BLK_OP_FLUSH);
	CHECK_EQ_U64(req.nr_iov, 0);

	/* GET_ID: 20 writable bytes. */
	memset(id, 0xaa, 32);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_GET_ID, 0, 20), VIRTIO_BLK_S_OK);
	CHECK_EQ_U64(req.op, BLK_OP_GET_ID);
	blk_req_set_id(&req, "ursa-disk0");
	CHECK(!memcmp(id, "ursa-disk0\0\0\0\0\0\0\0\0\0\0", 20));
	CHECK_EQ_U64(id[20], 0xaa);
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 21);
	/* More room: only 20 are written; a 20-byte serial has no NUL;
	 * longer ones are cut.
	 */
	memset(id, 0xaa, 32);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_GET_ID, 0, 512), VIRTIO_BLK_S_OK);
	blk_req_set_id(&req, "0123456789abcdefghijKLMN");
	CHECK(!memcmp(id, "0123456789abcdefghij", 20));
	CHECK_EQ_U64(id[20], 0xaa);
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 21);
	/* Split across segments. */
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ DATA_GPA, 7, true },
			{ DATA_GPA + 100, 13, true },
			{ STATUS_GPA, 1, true },
		};

		memset(id, 0, 120);
		put_hdr(HDR_GPA, VIRTIO_BLK_T_GET_ID, 0);
		CHECK_EQ_U64(parse(s, 4), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.nr_iov, 2);
		blk_req_set_id(&req, "abcdefghijklmnopqrst");
		CHECK(!memcmp(id, "abcdefg", 7));
		CHECK(!memcmp(id + 100, "hijklmnopqrst", 13));
	}
	/* Too small: IOERR, and set_id then writes nothing. */
	memset(id, 0xaa, 32);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_GET_ID, 0, 19), VIRTIO_BLK_S_IOERR);
	blk_req_set_id(&req, "x");
	CHECK_EQ_U64(id[0], 0xaa);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_GET_ID, 0, 0), VIRTIO_BLK_S_IOERR);

	/* Not offered or unknown: UNSUPP. */
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_DISCARD, 0, 16), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_SECURE_ERASE, 0, 16), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_SCSI_CMD, 0, 16), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(rw(VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER, 0, 512),
		     VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(rw(0xffffffff, 0, 512), VIRTIO_BLK_S_UNSUPP);
	CHECK_EQ_U64(req.op, BLK_OP_NONE);
	*status = 0;
	CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_UNSUPP), 1);
	CHECK_EQ_U64(*status, VIRTIO_BLK_S_UNSUPP);
}

static void test_framing(void)
{
	uint8_t *status = at(STATUS_GPA, 1);

	/* Header split 5 + 7 + 4 over three descriptors. */
	{
		struct seg s[] = {
			{ HDR_GPA + 0x100, 5, false },
			{ HDR_GPA + 0x200, 7, false },
			{ HDR_GPA + 0x300, 4, false },
			{ DATA_GPA, 512, true },
			{ STATUS_GPA, 1, true },
		};
		uint8_t h[16];

		put_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 77);
		memcpy(h, at(HDR_GPA, 16), 16);
		memcpy(at(HDR_GPA + 0x100, 5), h, 5);
		memcpy(at(HDR_GPA + 0x200, 7), h + 5, 7);
		memcpy(at(HDR_GPA + 0x300, 4), h + 12, 4);
		CHECK_EQ_U64(parse(s, 5), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.type, VIRTIO_BLK_T_IN);
		CHECK_EQ_U64(req.sector, 77);
		/* One byte short of a header. */
		s[2].len = 3;
		CHECK_EQ_U64(parse(s, 5), VIRTIO_BLK_S_IOERR);
		CHECK(req.status == status);
	}
	/* Header, data and all in one readable descriptor (OUT), and
	 * data + status in one writable descriptor (IN).
	 */
	{
		struct seg s[] = {
			{ HDR_GPA, 16 + 1024, false },
			{ STATUS_GPA, 1, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_OUT, 3);
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.data_len, 1024);
		CHECK_EQ_U64(req.nr_iov, 1);
		CHECK(req.iov[0].iov_base == at(HDR_GPA + 16, 1));
		/* The header split over the boundary of header+data. */
		{
			struct seg s3[] = {
				{ HDR_GPA, 10, false },
				{ HDR_GPA + 10, 6 + 512, false },
				{ STATUS_GPA, 1, true },
			};

			CHECK_EQ_U64(parse(s3, 3), VIRTIO_BLK_S_OK);
			CHECK_EQ_U64(req.sector, 3);
			CHECK_EQ_U64(req.nr_iov, 1);
			CHECK(req.iov[0].iov_base == at(HDR_GPA + 16, 1));
			CHECK_EQ_U64(req.iov[0].iov_len, 512);
		}
	}
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ DATA_GPA, 512, true },
			{ DATA_GPA + 4096, 513, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
		CHECK_EQ_U64(parse(s, 3), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.data_len, 1024);
		CHECK_EQ_U64(req.nr_iov, 2);
		CHECK_EQ_U64(req.iov[1].iov_len, 512);
		CHECK(req.status == at(DATA_GPA + 4096 + 512, 1));
		/* A status segment of its own is dropped from the data. */
		s[2].len = 1;
		CHECK_EQ_U64(parse(s, 3), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.nr_iov, 1);
		CHECK_EQ_U64(req.data_len, 512);
	}

	/* Data in the wrong direction. */
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ DATA_GPA, 512, false },
			{ STATUS_GPA, 1, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 0);
		CHECK_EQ_U64(parse(s, 3), VIRTIO_BLK_S_IOERR);
		put_hdr(HDR_GPA, VIRTIO_BLK_T_GET_ID, 0);
		CHECK_EQ_U64(parse(s, 3), VIRTIO_BLK_S_IOERR);
		put_hdr(HDR_GPA, VIRTIO_BLK_T_OUT, 0);
		s[1].writable = true;
		CHECK_EQ_U64(parse(s, 3), VIRTIO_BLK_S_IOERR);
		CHECK(req.status == status);
	}

	/* No writable byte at all: not even a status. Nothing is
	 * written, used len 0.
	 */
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ DATA_GPA, 512, false },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_OUT, 0);
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_IOERR);
		CHECK(!req.status);
		CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_IOERR), 0);
		put_hdr(HDR_GPA, VIRTIO_BLK_T_FLUSH, 0);
		CHECK_EQ_U64(parse(s, 1), VIRTIO_BLK_S_IOERR);
		CHECK(!req.status);
		/* A zero-length writable descriptor is no status byte. */
		s[1] = (struct seg){ STATUS_GPA, 0, true };
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_IOERR);
		CHECK(!req.status);
	}
	/* A short header fails even for a type that needs no more. */
	{
		struct seg s[] = {
			{ HDR_GPA, 8, false },
			{ STATUS_GPA, 1, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_FLUSH, 0);
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_IOERR);
		s[0].len = 15;
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_IOERR);
		s[0].len = 16;
		CHECK_EQ_U64(parse(s, 2), VIRTIO_BLK_S_OK);
	}
	/* No header at all: the status byte still reports IOERR. */
	{
		struct seg s[] = { { STATUS_GPA, 1, true } };

		CHECK_EQ_U64(parse(s, 1), VIRTIO_BLK_S_IOERR);
		CHECK(req.status == status);
		CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_IOERR), 1);
		CHECK_EQ_U64(*status, VIRTIO_BLK_S_IOERR);
	}
	/* Through an indirect table, as Linux sends them. */
	{
		struct seg s[] = {
			{ HDR_GPA, 16, false },
			{ DATA_GPA, 512, true },
			{ DATA_GPA + 8192, 1024, true },
			{ STATUS_GPA, 1, true },
		};

		put_hdr(HDR_GPA, VIRTIO_BLK_T_IN, 100);
		CHECK_EQ_U64(submit(s, 4, true), VIRTQ_CHAIN);
		CHECK_EQ_U64(blk_req_parse(&chain, &disk, &req), VIRTIO_BLK_S_OK);
		CHECK_EQ_U64(req.data_len, 1536);
		CHECK_EQ_U64(req.nr_iov, 2);
		CHECK_EQ_U64(blk_req_complete(&req, VIRTIO_BLK_S_OK), 1537);
		virtq_push(&vq, chain.head, 1537);
		virtq_publish(&vq);
	}
}

/* xorshift64*: fixed seed, reproducible. */
static uint64_t rng_state = 0x0123456789abcdefull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static bool in_ram(const void *p, uint64_t len)
{
	const uint8_t *b = p;

	return b >= mem.base && b <= mem.base + mem.total &&
	       len <= (uint64_t)(mem.base + mem.total - b);
}

static void test_random(void)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
		VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_DISCARD, 0x12345678,
	};
	unsigned int outcome[3] = { 0 }, malformed = 0;
	bool ok = true;

	for (unsigned int iter = 0; iter < 5000 && ok; iter++) {
		struct seg s[12];
		unsigned int n = 1 + rnd() % 12, nw = rnd() % (n + 1), i;
		uint64_t sector;
		uint8_t st;

		for (i = 0; i < n; i++) {
			uint32_t lens[] = { 0, 1, 5, 16, 20, 21, 512, 513, 4096 };

			s[i].gpa = 0x100000 + (rnd() % 0xe00) * 0x1000 + rnd() % 64;
			s[i].len = rnd() % 4 ? lens[rnd() % 9] : rnd() % 9000;
			/* Mostly well ordered; sometimes not. */
			s[i].writable = rnd() % 16 ? i >= n - nw : rnd() & 1;
		}
		if (rnd() % 8) {	/* usually a header up front */
			if (rnd() % 4 == 0) {
				/* inside a random buffer instead */
				s[0].len = 16 + rnd() % 1024;
			}
			if (s[0].len < 16)
				s[0].len = 16;
			s[0].writable = false;
		}
		sector = rnd() % 3 ? rnd() % (CAPACITY + 4) : rnd();
		disk.read_only = !(rnd() % 8);
		put_hdr(s[0].gpa, types[rnd() % 6], sector);

		if (submit(s, n, rnd() & 1) != VIRTQ_CHAIN) {
			malformed++;
			virtq_push(&vq, chain.head, 0);
			virtq_publish(&vq);
			continue;
		}
		st = blk_req_parse(&chain, &disk, &req);
		ok &= st <= VIRTIO_BLK_S_UNSUPP;
		outcome[st <= 2 ? st : 0]++;
		if (req.status) {
			const struct iovec *last =
				&chain.iov[chain.nr_readable + chain.nr_writable - 1];

			ok &= chain.nr_writable > 0;
			ok &= req.status == (uint8_t *)last->iov_base +
					    last->iov_len - 1;
		} else {
			ok &= !chain.writable_len && st == VIRTIO_BLK_S_IOERR;
		}
		if (st == VIRTIO_BLK_S_OK) {
			uint64_t sum = 0;

			ok &= req.op != BLK_OP_NONE;
			for (i = 0; i < req.nr_iov; i++) {
				ok &= in_ram(req.iov[i].iov_base,
					     req.iov[i].iov_len);
				sum += req.iov[i].iov_len;
			}
			ok &= sum == req.data_len;
			/* Data never reaches the status byte's position. */
			if (req.op == BLK_OP_READ || req.op == BLK_OP_GET_ID)
				ok &= req.data_len < chain.writable_len;
			if (req.op == BLK_OP_WRITE)
				ok &= req.data_len + 16 == chain.readable_len;
			if (req.op == BLK_OP_READ || req.op == BLK_OP_WRITE)
				ok &= req.data_len % 512 == 0 &&
				      req.sector <= CAPACITY &&
				      req.data_len / 512 <= CAPACITY - req.sector;
			ok &= !(req.op == BLK_OP_WRITE && disk.read_only);
		} else {
			ok &= req.op == BLK_OP_NONE;
		}
		virtq_push(&vq, chain.head, blk_req_complete(&req, st));
		virtq_publish(&vq);
		if (!ok)
			fprintf(stderr, "random: iteration %u failed\n", iter);
	}
	disk.read_only = false;
	CHECK(ok);
	CHECK(outcome[VIRTIO_BLK_S_OK] > 100);
	CHECK(outcome[VIRTIO_BLK_S_IOERR] > 100);
	CHECK(outcome[VIRTIO_BLK_S_UNSUPP] > 100);
	printf("random: %u ok, %u ioerr, %u unsupp, %u malformed\n",
	       outcome[0], outcome[1], outcome[2], malformed);
}

int main(void)
{
	struct layout l = {
		.ram = { { 0, RAM_END } },
		.nr_ram = 1,
		.ram_below_4g = RAM_END,
		.gpa_limit = 1ull << 36,
	};
	struct virtq_config cfg = {
		.size = QSIZE, .desc_gpa = DESC_GPA, .avail_gpa = AVAIL_GPA,
		.used_gpa = USED_GPA, .features = 1ull << VIRTIO_RING_F_INDIRECT_DESC,
	};
	char err[256];

	if (memory_create(&mem, &l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	CHECK(!virtq_enable(&vq, &mem, &cfg));
	test_read_write();
	test_range();
	test_types();
	test_framing();
	test_random();
	memory_destroy(&mem);
	return check_report("virtio_blk_req");
}
