// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk request parsing (devices/virtio/blk_req.c) on chains of any
 * shape: the input gives the disk (capacity, read-only, data limit), the
 * request header, and the chain's segments (lengths, direction), as
 * virtq_pop() would hand them over: readable first, none empty, the header
 * split across them anywhere.
 *
 * Checked against VIRTIO 1.2 5.2.6, computed here independently:
 * - the status blk_req_parse() returns is the one the rules give (IOERR,
 *   UNSUPP or OK), and an OK request has the operation of its type;
 * - the status byte is the chain's last writable byte, or absent exactly
 *   when the chain has no writable byte;
 * - the data segments are exactly the request's data in the chain, in
 *   order: for a read, the writable bytes before the status byte; for a
 *   write, the readable bytes after the 16-byte header; for GET_ID, the
 *   first 20 writable bytes; a read or write stays within the capacity
 *   and the data limit, in whole sectors, at offset sector * 512;
 * - blk_req_set_id() and blk_req_complete() write nothing outside the
 *   data segments and the status byte, and the used length is what
 *   2.7.8.2 allows.
 */
#include <endian.h>

#include "fuzz.h"
#include "devices/virtio/blk_req.h"

#define ARENA_SIZE	(32u << 10)
#define MAX_SEGS	64
#define SEG_GAP		8

static uint8_t arena[ARENA_SIZE], before[ARENA_SIZE];
static struct virtq_chain chain;
static struct blk_req req;

/* Where byte pos of a direction's stream lies: the host address. */
static uint8_t *stream_byte(const struct iovec *iov, unsigned int n, uint64_t pos)
{
	for (unsigned int i = 0; i < n; i++) {
		if (pos < iov[i].iov_len)
			return (uint8_t *)iov[i].iov_base + pos;
		pos -= iov[i].iov_len;
	}
	return NULL;
}

/* The request's iovecs are exactly bytes [skip, skip + len) of the
 * stream in iov[0..n): each lies inside one segment, in order. */
static bool is_slice(const struct iovec *iov, unsigned int n, uint64_t skip,
		     uint64_t len)
{
	uint64_t pos = skip;

	for (unsigned int k = 0; k < req.nr_iov; k++) {
		const struct iovec *r = &req.iov[k];

		if (!r->iov_len || stream_byte(iov, n, pos) != r->iov_base ||
		    stream_byte(iov, n, pos + r->iov_len - 1) !=
		    (uint8_t *)r->iov_base + r->iov_len - 1)
			return false;
		pos += r->iov_len;
	}
	return pos == skip + len && req.data_len == len;
}

static uint8_t expected_status(const struct blk_disk *disk, uint32_t type,
			       uint64_t sector)
{
	uint64_t cap = disk->capacity < BLK_MAX_CAPACITY ? disk->capacity :
		       BLK_MAX_CAPACITY;
	uint64_t max = disk->max_data ? disk->max_data : BLK_REQ_MAX_DATA;
	uint64_t data;

	if (!chain.writable_len || chain.readable_len < BLK_REQ_HDR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	switch (type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (type == VIRTIO_BLK_T_IN) {
			if (chain.readable_len != BLK_REQ_HDR_SIZE)
				return VIRTIO_BLK_S_IOERR;
			data = chain.writable_len - 1;
		} else {
			if (chain.writable_len != 1 || disk->read_only)
				return VIRTIO_BLK_S_IOERR;
			data = chain.readable_len - BLK_REQ_HDR_SIZE;
		}
		if (data % BLK_SECTOR_SIZE || data > max || sector > cap ||
		    data / BLK_SECTOR_SIZE > cap - sector)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return chain.readable_len == BLK_REQ_HDR_SIZE &&
		       chain.writable_len - 1 >= VIRTIO_BLK_ID_BYTES ?
		       VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static uint32_t pick_type(struct fuzz_input *in)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH,
		VIRTIO_BLK_T_GET_ID, VIRTIO_BLK_T_DISCARD,
		VIRTIO_BLK_T_WRITE_ZEROES,
	};
	uint8_t b = fz_u8(in);

	return b < 6 * 32 ? types[b % 6] : fz_u32(in);
}

static uint64_t pick_capacity(struct fuzz_input *in)
{
	switch (fz_u8(in) % 4) {
	case 0:
		return fz_u16(in);
	case 1:
		return BLK_MAX_CAPACITY - fz_u16(in);
	case 2:
		return UINT64_MAX - fz_u16(in);
	default:
		return fz_u64(in);
	}
}

/* Segment lengths: often a few bytes or a sector, sometimes anything. */
static uint32_t pick_len(struct fuzz_input *in)
{
	uint8_t b = fz_u8(in);

	if (b < 0x80)
		return 1 + b % 24;
	if (b < 0xc0)
		return BLK_SECTOR_SIZE * (1 + b % 8);
	return 1 + fz_u16(in) % (ARENA_SIZE / 4);
}

/* The header as the driver writes it, scattered over the readable
 * segments (as much of it as they hold). */
static void put_header(uint32_t type, uint64_t sector)
{
	uint8_t hdr[BLK_REQ_HDR_SIZE] = { 0 };
	uint32_t t = htole32(type);
	uint64_t s = htole64(sector);

	memcpy(hdr, &t, 4);
	memcpy(hdr + 8, &s, 8);
	for (unsigned int i = 0; i < BLK_REQ_HDR_SIZE; i++) {
		uint8_t *p = stream_byte(chain.iov, chain.nr_readable, i);

		if (p)
			*p = hdr[i];
	}
}

/* Put back what was at [p, p + len) before the request completed. */
static void restore(uint8_t *p, size_t len)
{
	memcpy(p, before + (p - arena), len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct blk_disk disk;
	uint8_t st, want, *status;
	unsigned int nr, nr_readable;
	uint32_t type, off = 0, used;
	uint64_t sector;

	disk.capacity = pick_capacity(&in);
	disk.read_only = fz_u8(&in) & 1;
	disk.max_data = fz_u8(&in) & 1 ? fz_u32(&in) : 0;
	type = pick_type(&in);
	sector = fz_u8(&in) & 1 ? fz_u64(&in) : fz_u16(&in);
	nr = fz_u8(&in) % (MAX_SEGS + 1);
	nr_readable = nr ? fz_u8(&in) % (nr + 1) : 0;
	memset(arena, 0x5a, sizeof(arena));

	memset(&chain, 0, offsetof(struct virtq_chain, iov));
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t len = pick_len(&in);

		/* Segments follow each other in the arena, with a gap: a
		 * data iovec that spans two of them would show. */
		if (off >= ARENA_SIZE)
			break;
		if (len > ARENA_SIZE - off)
			len = ARENA_SIZE - off;
		chain.iov[i] = (struct iovec){ arena + off, len };
		off += len + SEG_GAP;
		if (i < nr_readable) {
			chain.nr_readable++;
			chain.readable_len += len;
		} else {
			chain.nr_writable++;
			chain.writable_len += len;
		}
	}
	put_header(type, sector);
	memcpy(before, arena, sizeof(arena));

	st = blk_req_parse(&chain, &disk, &req);
	want = expected_status(&disk, type, sector);
	FUZZ_CHECK(st == want);
	FUZZ_CHECK(req.nr_iov <= VIRTQ_MAX_SEGS);
	status = chain.writable_len ?
		 stream_byte(virtq_chain_writable(&chain), chain.nr_writable,
			     chain.writable_len - 1) : NULL;
	FUZZ_CHECK(req.status == status);
	if (chain.readable_len >= BLK_REQ_HDR_SIZE && chain.writable_len) {
		FUZZ_CHECK(req.type == type);
		FUZZ_CHECK(req.sector == sector);
	}
	if (st == VIRTIO_BLK_S_OK) {
		const struct iovec *wr = virtq_chain_writable(&chain);

		switch (type) {
		case VIRTIO_BLK_T_IN:
			FUZZ_CHECK(req.op == BLK_OP_READ);
			FUZZ_CHECK(is_slice(wr, chain.nr_writable, 0,
					   chain.writable_len - 1));
			break;
		case VIRTIO_BLK_T_OUT:
			FUZZ_CHECK(req.op == BLK_OP_WRITE);
			FUZZ_CHECK(is_slice(chain.iov, chain.nr_readable,
					   BLK_REQ_HDR_SIZE,
					   chain.readable_len - BLK_REQ_HDR_SIZE));
			break;
		case VIRTIO_BLK_T_FLUSH:
			FUZZ_CHECK(req.op == BLK_OP_FLUSH && !req.nr_iov);
			break;
		default:
			FUZZ_CHECK(req.op == BLK_OP_GET_ID);
			FUZZ_CHECK(is_slice(wr, chain.nr_writable, 0,
					   VIRTIO_BLK_ID_BYTES));
			break;
		}
		if (req.op == BLK_OP_READ || req.op == BLK_OP_WRITE)
			FUZZ_CHECK(req.offset == sector * BLK_SECTOR_SIZE);
	} else {
		FUZZ_CHECK(req.op == BLK_OP_NONE);
	}

	/* Completion writes the data segments and the status byte only. */
	blk_req_set_id(&req, "fuzz-serial-longer-than-twenty");
	used = blk_req_complete(&req, st);
	for (unsigned int k = 0; k < req.nr_iov; k++)
		restore(req.iov[k].iov_base, req.iov[k].iov_len);
	if (status) {
		FUZZ_CHECK(*status == st);
		restore(status, 1);
	}
	FUZZ_CHECK(!memcmp(arena, before, sizeof(arena)));
	if (!status)
		FUZZ_CHECK(used == 0);
	else if (st == VIRTIO_BLK_S_OK && (req.op == BLK_OP_READ ||
					   req.op == BLK_OP_GET_ID))
		FUZZ_CHECK(used == req.data_len + 1);
	else
		FUZZ_CHECK(used == 1);
	return 0;
}
