/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk requests (VIRTIO 1.2 section 5.2.6), parsed out of a popped
 * virtqueue chain. Pure: no I/O, no device state. The device pops a
 * chain, calls blk_req_parse(), executes the request if the status is
 * VIRTIO_BLK_S_OK, then blk_req_complete() and virtq_push(head, len).
 *
 * A request is laid out as
 *	le32 type; le32 reserved; le64 sector;	(16 bytes, device-readable)
 *	u8 data[];				(readable for OUT, writable
 *						 for IN and GET_ID)
 *	u8 status;				(the last writable byte)
 * and the driver may split any of it across descriptors at any byte
 * (2.7.4: message framing is independent of descriptor boundaries).
 */
#ifndef URSA_DEVICES_VIRTIO_BLK_REQ_H
#define URSA_DEVICES_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_blk.h>

#include "devices/virtio/virtqueue.h"

/* virtio-blk sectors are always 512 bytes, whatever blk_size says. */
#define BLK_SECTOR_SIZE		512
#define BLK_REQ_HDR_SIZE	16

/*
 * The most data one request may carry, unless struct blk_disk says
 * otherwise: 16 MiB. A device should advertise VIRTIO_BLK_F_SEG_MAX and
 * VIRTIO_BLK_F_SIZE_MAX with seg_max * size_max <= this limit (e.g. the
 * suggested values below); a driver that ignores them gets IOERR.
 */
#define BLK_REQ_MAX_DATA	(16u << 20)
#define BLK_REQ_SEG_MAX		128		/* suggested seg_max */
#define BLK_REQ_SIZE_MAX	(128u << 10)	/* suggested size_max */

/* The largest capacity honoured: every byte offset then fits off_t. */
#define BLK_MAX_CAPACITY	((uint64_t)INT64_MAX / BLK_SECTOR_SIZE)

struct blk_disk {
	uint64_t capacity;	/* in 512-byte sectors; <= BLK_MAX_CAPACITY */
	bool read_only;		/* VIRTIO_BLK_F_RO offered */
	uint32_t max_data;	/* per request, bytes; 0: BLK_REQ_MAX_DATA */
};

enum blk_req_op {
	BLK_OP_NONE = 0,	/* the request failed in parsing */
	BLK_OP_READ,		/* preadv(iov, nr_iov, offset) */
	BLK_OP_WRITE,		/* pwritev(iov, nr_iov, offset) */
	BLK_OP_FLUSH,		/* fdatasync() */
	BLK_OP_GET_ID,		/* blk_req_set_id() */
};

struct blk_req {
	uint32_t type;		/* VIRTIO_BLK_T_*, as the driver sent it */
	enum blk_req_op op;
	uint64_t sector;
	uint64_t offset;	/* sector * 512, within the disk */
	uint32_t data_len;	/* bytes in iov; may be 0 */
	unsigned int nr_iov;
	/*
	 * Where the status byte goes: the last device-writable byte of the
	 * chain, in guest RAM. NULL when the chain has no writable byte:
	 * such a request cannot even be failed; blk_req_complete() then
	 * writes nothing and the chain goes back with used len 0.
	 */
	uint8_t *status;
	/* The data buffers only (header and status byte cut off). */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/*
 * Parse and validate the request in chain (a VIRTQ_CHAIN result of
 * virtq_pop()). Returns the status the request stands at:
 * VIRTIO_BLK_S_OK: execute req->op; VIRTIO_BLK_S_IOERR or
 * VIRTIO_BLK_S_UNSUPP: do nothing, complete with that status.
 *
 * IOERR: no writable byte for the status; header shorter than 16 bytes;
 * data in the wrong direction (IN or GET_ID with readable bytes after the
 * header, OUT with writable bytes besides the status); IN/OUT data not a
 * multiple of 512, above the data limit, or past the capacity; OUT on a
 * read-only disk (5.2.6.2); GET_ID with less than 20 writable data bytes.
 * UNSUPP: any other type, DISCARD, WRITE_ZEROES and SECURE_ERASE included
 * (the device does not offer them).
 * FLUSH ignores sector and any data (5.2.6.1: the driver SHOULD NOT
 * include any).
 */
uint8_t blk_req_parse(const struct virtq_chain *chain,
		      const struct blk_disk *disk, struct blk_req *req);

/*
 * GET_ID: write the serial, NUL-padded to 20 bytes (not NUL-terminated if
 * 20 long; longer serials are cut), into the request's data.
 */
void blk_req_set_id(struct blk_req *req, const char *serial);

/*
 * Write the status byte and return the used length for virtq_push(): the
 * bytes written to the writable part, status byte included. That is
 * data_len + 1 for a successful READ or GET_ID, 1 for anything else with
 * a status byte, and 0 when there is no status byte. (For a failed read
 * this counts the status byte alone: 2.7.8.2 lets len underestimate, and
 * it must never claim data that was not written.)
 */
uint32_t blk_req_complete(struct blk_req *req, uint8_t status);

#endif
