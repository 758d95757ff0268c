// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: misaligned and oversized accesses to the virtio BAR's
 * structures (VIRTIO 1.2 4.1.4). 4.1.3.1 has the driver access every
 * field with its natural width; anything else is undefined by the spec
 * and ursa's defined answer (devices/virtio/pci.c) is checked here:
 *  - common configuration: only a register's natural size (or a 64-bit
 *    queue address whole) is a register; any other access reads 0 and a
 *    write is dropped;
 *  - ISR and device configuration: any size, byte by byte, read-only
 *    (virtio-blk without CONFIG_WCE has nothing writable, 5.2.4);
 *  - notifications: a write-only area reading 0; doorbells of queues
 *    that do not exist do nothing;
 *  - the PBA: read-only; pages holding no structure read 0;
 *  - an access across a page boundary: see across_pages().
 */
#include "hostile.h"

#define PAGE			0x1000

struct reg {
	uint8_t off, size;
};

/* 4.1.4.3: struct virtio_pci_common_cfg, and the 64-bit queue
 * addresses as a whole. */
static const struct reg common_regs[] = {
	{ COMMON_DF_SELECT, 4 }, { COMMON_DF, 4 }, { COMMON_GF_SELECT, 4 },
	{ COMMON_GF, 4 }, { COMMON_MSIX, 2 }, { COMMON_NUMQ, 2 },
	{ COMMON_STATUS, 1 }, { COMMON_CFGGEN, 1 }, { COMMON_Q_SELECT, 2 },
	{ COMMON_Q_SIZE, 2 }, { COMMON_Q_MSIX, 2 }, { COMMON_Q_ENABLE, 2 },
	{ COMMON_Q_NOTIFY_OFF, 2 }, { COMMON_Q_DESC, 4 }, { COMMON_Q_DESC + 4, 4 },
	{ COMMON_Q_DRIVER, 4 }, { COMMON_Q_DRIVER + 4, 4 },
	{ COMMON_Q_DEVICE, 4 }, { COMMON_Q_DEVICE + 4, 4 },
	{ COMMON_Q_DESC, 8 }, { COMMON_Q_DRIVER, 8 }, { COMMON_Q_DEVICE, 8 },
};

#define NR_COMMON_REGS	(sizeof(common_regs) / sizeof(common_regs[0]))

static const unsigned int sizes[] = { 1, 2, 4, 8 };

static bool is_register(unsigned int off, unsigned int size)
{
	for (unsigned int i = 0; i < NR_COMMON_REGS; i++)
		if (common_regs[i].off == off && common_regs[i].size == size)
			return true;
	return false;
}

static void read_registers(const struct hdev *d, uint64_t *v)
{
	for (unsigned int i = 0; i < NR_COMMON_REGS; i++)
		v[i] = mmio_read(d->home + d->common + common_regs[i].off,
				 common_regs[i].size);
}

/* Registers with values other than 0, so that a stray access answered
 * from one of them shows: a feature word, status, queue 0's size and
 * addresses (writable until the queue is enabled), vectors. */
static void busy_registers(const struct hdev *d)
{
	uint64_t base = d->home + d->common;

	mmio_write8(base + COMMON_STATUS, 0);
	mmio_write8(base + COMMON_STATUS, STATUS_ACK | STATUS_DRIVER);
	mmio_write32(base + COMMON_DF_SELECT, 1);
	mmio_write32(base + COMMON_GF_SELECT, 1);
	mmio_write32(base + COMMON_GF, 1);
	mmio_write16(base + COMMON_MSIX, 1);
	mmio_write16(base + COMMON_Q_SELECT, 0);
	mmio_write16(base + COMMON_Q_SIZE, 16);
	mmio_write16(base + COMMON_Q_MSIX, 0);
	mmio_write64(base + COMMON_Q_DESC, 0x1122334455667780ull);
	mmio_write64(base + COMMON_Q_DRIVER, 0x99aabbccddeeff02ull);
	mmio_write64(base + COMMON_Q_DEVICE, 0x0123456789abcde4ull);
}

/* Every non-register access in the common window and its page: reads 0,
 * and all-ones writes leave every register as it was. */
static void common_window(const struct hdev *d)
{
	uint64_t base = d->home + d->common, before[NR_COMMON_REGS], after[NR_COMMON_REGS];

	busy_registers(d);
	read_registers(d, before);
	expect(mmio_read8(base + COMMON_STATUS), STATUS_ACK | STATUS_DRIVER,
	       "slot %u: status set up", d->slot);
	for (unsigned int off = 0; off < COMMON_END + 8; off++) {
		for (unsigned int i = 0; i < 4; i++) {
			if (is_register(off, sizes[i]))
				continue;
			expect(mmio_read(base + off, sizes[i]), 0,
			       "slot %u: common %x size %u", d->slot, off, sizes[i]);
			mmio_write(base + off, sizes[i], ~0ull);
		}
	}
	for (unsigned int off = COMMON_END + 8; off < PAGE; off += 8) {
		expect(mmio_read64(base + off), 0, "slot %u: common page %x", d->slot, off);
		mmio_write64(base + off, ~0ull);
	}
	read_registers(d, after);
	for (unsigned int i = 0; i < NR_COMMON_REGS; i++)
		expect(after[i], before[i], "slot %u: register %x size %u after stray writes",
		       d->slot, common_regs[i].off, common_regs[i].size);
	mmio_write8(base + COMMON_STATUS, 0);
}

/* 4.1.4.5: nothing pending yet, so the ISR reads 0 in any size. */
static void isr_window(const struct hdev *d)
{
	for (unsigned int off = 0; off < 8; off++)
		for (unsigned int i = 0; i < 4; i++)
			expect(mmio_read(d->home + d->isr + off, sizes[i]), 0,
			       "slot %u: ISR %x size %u", d->slot, off, sizes[i]);
	expect(mmio_read64(d->home + d->isr + PAGE - 8), 0, "slot %u: ISR page end", d->slot);
}

/* Device configuration: every offset and size composes from the bytes;
 * writes change nothing; past the structure, 0. */
static void devcfg_window(const struct hdev *d)
{
	uint64_t base = d->home + d->devcfg;
	uint8_t ref[0x108];

	for (unsigned int off = 0; off < sizeof(ref); off++)
		ref[off] = mmio_read8(base + off);
	for (unsigned int off = 0; off < 0x100; off++)
		for (unsigned int i = 1; i < 4; i++)
			expect(mmio_read(base + off, sizes[i]), bytes_le(&ref[off], sizes[i]),
			       "slot %u: device config %x size %u", d->slot, off, sizes[i]);
	for (unsigned int off = 0x100; off < PAGE; off += 8)
		expect(mmio_read64(base + off), 0, "slot %u: past device config %x", d->slot, off);
	for (unsigned int off = 0; off < 0x40; off++)
		for (unsigned int i = 0; i < 4; i++)
			mmio_write(base + off, sizes[i], ~0ull);
	for (unsigned int off = 0; off < sizeof(ref); off++)
		expect(mmio_read8(base + off), ref[off],
		       "slot %u: device config byte %x after writes", d->slot, off);
}

/* Reads of the doorbells give 0; doorbells of queues 1 and up (there is
 * one queue), in every size, and queue 0's before DRIVER_OK, do nothing. */
static void notify_window(const struct hdev *d)
{
	static const unsigned int queues[] = { 1, 2, 7, 8, 100, 1023 };
	uint64_t base = d->home + d->notify;
	uint8_t status = mmio_read8(d->home + d->common + COMMON_STATUS);

	for (unsigned int off = 0; off < 8; off++)
		for (unsigned int i = 0; i < 4; i++)
			expect(mmio_read(base + off, sizes[i]), 0,
			       "slot %u: notify %x size %u", d->slot, off, sizes[i]);
	for (unsigned int q = 0; q < sizeof(queues) / sizeof(queues[0]); q++)
		if (queues[q] * d->notify_mult + 8 <= PAGE)
			for (unsigned int i = 0; i < 4; i++)
				mmio_write(base + queues[q] * d->notify_mult, sizes[i], queues[q]);
	for (unsigned int i = 0; i < 4; i++)
		mmio_write(base + 1, sizes[i], 0);
	expect(mmio_read8(d->home + d->common + COMMON_STATUS), status,
	       "slot %u: status after stray doorbells", d->slot);
	expect(mmio_read16(d->home + d->common + COMMON_NUMQ), 1,
	       "slot %u: NUMQ after stray doorbells", d->slot);
}

/* PCI Local Bus 3.0 6.8.2.10: the PBA is read-only; nothing is pending. */
static void pba_window(const struct hdev *d)
{
	uint64_t base = d->home + d->msix_pba;

	for (unsigned int off = 0; off < 16; off++)
		for (unsigned int i = 0; i < 4; i++)
			mmio_write(base + off, sizes[i], ~0ull);
	for (unsigned int off = 0; off < PAGE; off += 8)
		expect(mmio_read64(base + off), 0, "slot %u: PBA %x", d->slot, off);
	for (unsigned int off = 0; off < 8; off++)
		for (unsigned int i = 0; i < 3; i++)
			expect(mmio_read(base + off, sizes[i]), 0,
			       "slot %u: PBA %x size %u", d->slot, off, sizes[i]);
}

static bool page_used(const struct hdev *d, uint32_t page)
{
	return page == (d->common & ~(PAGE - 1)) || page == (d->isr & ~(PAGE - 1)) ||
	       page == (d->devcfg & ~(PAGE - 1)) || page == (d->notify & ~(PAGE - 1)) ||
	       page == (d->msix_table & ~(PAGE - 1)) || page == (d->msix_pba & ~(PAGE - 1));
}

/* Pages without a structure read 0 and drop writes. */
static void unused_pages(const struct hdev *d)
{
	for (uint32_t page = 0; page < d->bar_size; page += PAGE) {
		if (page_used(d, page))
			continue;
		mmio_write64(d->home + page, ~0ull);
		mmio_write32(d->home + page + PAGE - 2, ~0u);
		for (unsigned int off = 0; off < PAGE; off += 0x100)
			expect(mmio_read64(d->home + page + off), 0,
			       "slot %u: unused BAR page %x + %x", d->slot, page, off);
	}
}

/*
 * Accesses across a page boundary: KVM hands them to ursa as one access
 * per page, and ursa's bus takes only sizes 1, 2, 4 and 8 (vmm/bus.h), so
 * a 3- or 7-byte piece reads all ones even inside a BAR. Across the BAR's
 * end (moved where nothing follows it) the outer piece is unclaimed.
 */
static void across_pages(const struct hdev *d)
{
	uint64_t inside = d->home + (d->devcfg | (PAGE - 1)) + 1;
	uint64_t end = FREE_MMIO + d->bar_size;

	expect(mmio_read32(inside - 2), 0, "slot %u: 2 + 2 bytes across two pages", d->slot);
	expect(mmio_read32(inside - 1), 0xffffff00, "slot %u: 1 + 3 bytes across two pages",
	       d->slot);
	expect(mmio_read64(inside - 4), 0, "slot %u: 4 + 4 bytes across two pages", d->slot);
	cfg_set_bar(d, FREE_MMIO);
	mmio_write64(end - 4, ~0ull);
	expect(mmio_read64(end - 4), 0xffffffff00000000ull, "slot %u: qword across the BAR's end",
	       d->slot);
	expect(mmio_read32(end - 2), 0xffff0000u, "slot %u: dword across the BAR's end", d->slot);
	expect(mmio_read64(end - 7), ~0ull, "slot %u: 7 + 1 bytes across the BAR's end", d->slot);
	cfg_set_bar(d, d->home);
}

uint64_t phase_mmio(uint64_t arg)
{
	(void)arg;
	for (unsigned int i = 0; i < HOSTILE_DEVICES; i++) {
		const struct hdev *d = &hdevs[i];

		common_window(d);
		isr_window(d);
		devcfg_window(d);
		notify_window(d);
		pba_window(d);
		unused_pages(d);
		across_pages(d);
	}
	return 0;
}
