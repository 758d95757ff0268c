/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hostile: a guest that attacks ursa's devices and checks that every
 * attack gets the device's defined answer. Shared by the stub's files:
 * the checks, sized accessors, the devices found, and the phases.
 *
 * Everything but the interrupt waits runs at CPL3 (rt_user_call), where
 * the test hosts run guest code natively; a failed check ends the VM
 * from whatever CPL with "hostile: FAIL ..." and code 1 (status 3).
 */
#ifndef URSA_GUEST_STUBS_HOSTILE_H
#define URSA_GUEST_STUBS_HOSTILE_H

#include "../../rt/rt.h"
#include "../../rt/virtio.h"

/* The VM ends with status (HOSTILE_EXIT_OK << 1) | 1 = 85 on success. */
#define HOSTILE_EXIT_OK		42
/* The two virtio-blk devices (--disk twice): A is attacked, B is moved. */
#define HOSTILE_DEVICES		2

/* Layout (vmm/layout.h): ECAM for bus 0, and places nothing decodes. */
#define ECAM_BASE		0xe0000000ull
#define LAPIC_BASE		0xfee00000ull
#define FREE_MMIO		0xc8000000u	/* in the PCI window, unused */
#define BYSTANDER_MMIO		0xdf000000ull	/* never a BAR, never RAM */
#define UNCLAIMED_PORT		0x2f0

#define VIRTIO_BLK_ID		((uint32_t)VIRTIO_BLK_DEVICE << 16 | VIRTIO_VENDOR)

/* Config header (PCI Local Bus 3.0 6.1) and capabilities (6.7). */
#define CFG_SIZE		256
#define ECAM_FN_SIZE		4096	/* PCIe 6.0 7.2.2: 4 KiB per function */
#define CFG_STATUS		0x06
#define PCI_STATUS_INTERRUPT	0x0008	/* 6.2.3: Interrupt Status */
#define CFG_CACHE_LINE		0x0c
#define CFG_LATENCY		0x0d
#define CFG_HEADER_TYPE		0x0e
#define CFG_BAR0		0x10
#define CFG_CAP_PTR		0x34
#define CFG_INT_LINE		0x3c
#define CAP_ID_VENDOR		0x09
#define CAP_ID_MSIX		0x11
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_INTX_OFF	0x0400
#define PCI_STATUS_W1C		0xf900	/* 6.2.3: the error bits */
#define MSIX_CTRL_ENABLE	0x8000	/* 6.8.2.3 */
#define MSIX_CTRL_MASKALL	0x4000

#define STATUS_ALL_OK		(STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | \
				 STATUS_DRIVER_OK)

/* One virtio-blk function as found on bus 0. Offsets are into BAR 0. */
struct hdev {
	uint8_t slot;
	uint64_t ecam;		/* its function's 4 KiB of ECAM */
	uint32_t home;		/* BAR 0 as ursa placed it */
	uint32_t bar_size;
	uint8_t msix_cap;
	uint32_t common, isr, devcfg, notify, notify_mult;
	uint32_t msix_table, msix_pba;
	unsigned int msix_vectors;
	uint8_t cfg[CFG_SIZE];	/* config space before any attack */
};

extern struct hdev hdevs[HOSTILE_DEVICES];

/* Checks: each one counts; a wrong answer ends the VM. */
extern uint64_t hostile_checks;
void expect(uint64_t got, uint64_t want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
__attribute__((noreturn, format(printf, 1, 2)))
void hostile_fail(const char *fmt, ...);

/* Sized accessors: size is 1, 2, 4 or 8 (ports: 1, 2 or 4), one
 * instruction each, so the access reaches ursa with exactly that size. */
uint64_t mmio_read(uint64_t gpa, unsigned int size);
void mmio_write(uint64_t gpa, unsigned int size, uint64_t v);
uint32_t pio_read(uint16_t port, unsigned int size);
void pio_write(uint16_t port, unsigned int size, uint32_t v);

/* All ones in size bytes: what a master abort returns. */
static inline uint64_t ones(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* Little-endian value of size bytes at p. */
uint64_t bytes_le(const uint8_t *p, unsigned int size);

/* ECAM address of bus 0 slot/fn register off. */
static inline uint64_t ecam(unsigned int slot, unsigned int fn, unsigned int off)
{
	return ECAM_BASE | slot << 15 | fn << 12 | off;
}

/* Config accesses to a found device through ECAM. */
static inline uint64_t cfg_read(const struct hdev *d, unsigned int off,
				unsigned int size)
{
	return mmio_read(d->ecam + off, size);
}

static inline void cfg_write(const struct hdev *d, unsigned int off,
			     unsigned int size, uint64_t v)
{
	mmio_write(d->ecam + off, size, v);
}

/* Time, from the TSC (usable at CPL3). */
void hostile_time_init(void);
uint64_t deadline_after_ms(uint64_t ms);
bool deadline_passed(uint64_t deadline);

/* The phases, run at CPL3 by vCPU 0; each returns 0. */
uint64_t phase_discover(uint64_t arg);
uint64_t phase_config(uint64_t arg);
uint64_t phase_bars(uint64_t arg);
uint64_t phase_mmio(uint64_t arg);
uint64_t phase_virtq(uint64_t arg);
uint64_t phase_msix_table(uint64_t arg);
uint64_t phase_msix_pending(uint64_t arg);
uint64_t phase_msix_garbage(uint64_t arg);
uint64_t phase_msix_deliver(uint64_t arg);
uint64_t phase_intx_isr(uint64_t arg);
uint64_t phase_survivor(uint64_t arg);

/* The MSI-X vector phase_msix_deliver() aims at vCPU 0, and what its
 * handler counted. */
#define HOSTILE_MSIX_VECTOR	0x50
extern volatile uint32_t msix_delivered;

/* Config space helpers (config.c), for the other phases. */
void cfg_set_bar(const struct hdev *d, uint32_t addr);
void cfg_set_command(const struct hdev *d, uint16_t cmd);

/* The virtio driver (vq.c) the queue and MSI-X phases build on. */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define VQ_SIZE			64
#define F_INDIRECT_DESC		28	/* VIRTIO 1.2 6: feature bits */
#define F_VERSION_1		32


struct vq_used {
	uint32_t id;
	uint32_t len;
};

/* Reset d, negotiate VERSION_1 | INDIRECT_DESC and enable queue 0 of
 * VQ_SIZE with the driver's rings; DRIVER_OK. */
void vq_start(const struct hdev *d);
/* The device status register. */
uint8_t vq_status(const struct hdev *d);
/* Put the n descriptors at desc[0..n), offer head 0, notify. */
void vq_offer(const struct hdev *d, const struct vq_desc *chain, unsigned int n);
/* Write chain into the descriptor table at index at. */
void vq_put(unsigned int at, const struct vq_desc *chain, unsigned int n);
/* Offer head without touching the descriptor table. */
void vq_offer_head(const struct hdev *d, uint16_t head);
/* Wait up to ms for the next used element; false if none came. */
bool vq_wait_used(struct vq_used *u, uint64_t ms);
/* avail.idx as the driver last published it. */
uint16_t vq_avail_idx(void);
void vq_set_avail_idx(const struct hdev *d, uint16_t idx);
/* vq_offer + vq_wait_used; a missing completion fails the check. */
struct vq_used vq_run(const struct hdev *d, const struct vq_desc *chain,
		      unsigned int n, const char *what);
/* A well-formed request: header, len bytes of data at buf, status. */
uint8_t vq_request(const struct hdev *d, uint32_t type, uint64_t sector,
		   void *buf, uint32_t len);
/* The request header and status byte vq_request uses, for hand-made
 * chains. */
struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};
extern struct blk_hdr vq_hdr;
extern volatile uint8_t vq_status_byte;
extern uint8_t vq_data[2][4096];
extern struct vq_desc vq_indirect[16];

#endif
