// SPDX-License-Identifier: GPL-2.0-only
/* virtio-blk request parsing (VIRTIO 1.2 section 5.2.6). */
#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "devices/virtio/blk_req.h"

/*
 * Describe bytes [skip, skip + len) of the segments src[0..n) in dst.
 * Returns the number of dst entries; the caller ensures the range lies
 * within the segments.
 */
static unsigned int iov_slice(const struct iovec *src, unsigned int n,
			      uint64_t skip, uint64_t len, struct iovec *dst)
{
	unsigned int nr = 0;

	for (unsigned int i = 0; i < n && len; i++) {
		uint64_t seg = src[i].iov_len, take;

		if (skip >= seg) {
			skip -= seg;
			continue;
		}
		take = seg - skip < len ? seg - skip : len;
		dst[nr].iov_base = (uint8_t *)src[i].iov_base + skip;
		dst[nr].iov_len = take;
		nr++;
		len -= take;
		skip = 0;
	}
	return nr;
}

/*
 * Copy the 16-byte header out of the readable segments, which may split
 * it anywhere. It is read exactly once: type and sector are then taken
 * from the local copy, never again from guest memory.
 */
static void gather_header(const struct virtq_chain *c, uint8_t *hdr)
{
	unsigned int got = 0;

	for (unsigned int i = 0; i < c->nr_readable && got < BLK_REQ_HDR_SIZE;
	     i++) {
		size_t take = c->iov[i].iov_len;

		if (take > BLK_REQ_HDR_SIZE - got)
			take = BLK_REQ_HDR_SIZE - got;
		memcpy(hdr + got, c->iov[i].iov_base, take);
		got += take;
	}
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/* IN/OUT: the data length and range checks shared by both. */
static uint8_t check_rw(const struct blk_disk *disk, struct blk_req *req)
{
	uint32_t max = disk->max_data ? disk->max_data : BLK_REQ_MAX_DATA;
	uint64_t nsect = req->data_len / BLK_SECTOR_SIZE;
	uint64_t cap = disk->capacity;

	/* So that every byte offset fits off_t (see struct blk_disk). */
	if (cap > BLK_MAX_CAPACITY)
		cap = BLK_MAX_CAPACITY;

	/* 5.2.6.1: data is a multiple of 512 bytes. */
	if (req->data_len % BLK_SECTOR_SIZE || req->data_len > max)
		return VIRTIO_BLK_S_IOERR;
	/* 5.2.6.1: nothing beyond capacity; written so nothing wraps. */
	if (req->sector > cap || nsect > cap - req->sector)
		return VIRTIO_BLK_S_IOERR;
	req->offset = req->sector * BLK_SECTOR_SIZE;
	return VIRTIO_BLK_S_OK;
}

uint8_t blk_req_parse(const struct virtq_chain *chain,
		      const struct blk_disk *disk, struct blk_req *req)
{
	const struct iovec *wr = chain->iov + chain->nr_readable;
	uint8_t hdr[BLK_REQ_HDR_SIZE] = { 0 };
	const struct iovec *last;
	uint32_t wdata;
	uint8_t st;

	memset(req, 0, offsetof(struct blk_req, iov));
	/* The status is the last writable byte (5.2.6). Zero-length
	 * descriptors make no segment, so the last segment is not empty.
	 */
	if (!chain->nr_writable || !chain->writable_len)
		return VIRTIO_BLK_S_IOERR;
	last = &wr[chain->nr_writable - 1];
	req->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	wdata = chain->writable_len - 1;	/* writable bytes before it */

	if (chain->readable_len < BLK_REQ_HDR_SIZE)
		return VIRTIO_BLK_S_IOERR;
	gather_header(chain, hdr);
	memcpy(&req->type, hdr, 4);
	req->type = le32toh(req->type);
	/* hdr[4..8) is reserved (the legacy ioprio): ignored. */
	memcpy(&req->sector, hdr + 8, 8);
	req->sector = le64toh(req->sector);

	switch (req->type) {
	case VIRTIO_BLK_T_IN:
		/* Data is device-writable: nothing readable after the
		 * header.
		 */
		if (chain->readable_len != BLK_REQ_HDR_SIZE)
			return VIRTIO_BLK_S_IOERR;
		req->data_len = wdata;
		st = check_rw(disk, req);
		if (st != VIRTIO_BLK_S_OK)
			return st;
		req->nr_iov = iov_slice(wr, chain->nr_writable, 0, wdata,
					req->iov);
		req->op = BLK_OP_READ;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		/* Data is device-readable: the status byte is the only
		 * writable one.
		 */
		if (wdata)
			return VIRTIO_BLK_S_IOERR;
		/* 5.2.6.2: a write to a read-only device fails with IOERR
		 * and writes nothing.
		 */
		if (disk->read_only)
			return VIRTIO_BLK_S_IOERR;
		req->data_len = chain->readable_len - BLK_REQ_HDR_SIZE;
		st = check_rw(disk, req);
		if (st != VIRTIO_BLK_S_OK)
			return st;
		req->nr_iov = iov_slice(chain->iov, chain->nr_readable,
					BLK_REQ_HDR_SIZE, req->data_len,
					req->iov);
		req->op = BLK_OP_WRITE;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		req->op = BLK_OP_FLUSH;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		/* 5.2.6.1: 20 bytes of writable data (we accept more and
		 * fill the first 20).
		 */
		if (chain->readable_len != BLK_REQ_HDR_SIZE ||
		    wdata < VIRTIO_BLK_ID_BYTES)
			return VIRTIO_BLK_S_IOERR;
		req->data_len = VIRTIO_BLK_ID_BYTES;
		req->nr_iov = iov_slice(wr, chain->nr_writable, 0,
					VIRTIO_BLK_ID_BYTES, req->iov);
		req->op = BLK_OP_GET_ID;
		return VIRTIO_BLK_S_OK;
	default:
		/* DISCARD, WRITE_ZEROES, SECURE_ERASE (not offered), the
		 * legacy SCSI and BARRIER bits, anything unknown.
		 */
		return VIRTIO_BLK_S_UNSUPP;
	}
}

void blk_req_set_id(struct blk_req *req, const char *serial)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
	size_t len = strnlen(serial, sizeof(id)), done = 0;

	if (req->op != BLK_OP_GET_ID)
		return;
	memcpy(id, serial, len);
	for (unsigned int i = 0; i < req->nr_iov; i++) {
		memcpy(req->iov[i].iov_base, id + done, req->iov[i].iov_len);
		done += req->iov[i].iov_len;
	}
}

uint32_t blk_req_complete(struct blk_req *req, uint8_t status)
{
	if (!req->status)
		return 0;
	__atomic_store_n(req->status, status, __ATOMIC_RELAXED);
	if (status == VIRTIO_BLK_S_OK &&
	    (req->op == BLK_OP_READ || req->op == BLK_OP_GET_ID))
		return req->data_len + 1;
	return 1;
}
