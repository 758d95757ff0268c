// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: BAR relocation (PCI Local Bus 3.0 6.2.5.1) with memory decoding
 * on: sizing in place, moves, address 0, and BARs put onto guest RAM, onto
 * the stub's own code, onto another device's BAR, onto the ECAM window and
 * onto the LAPIC.
 *
 * Overlapping an address something else decodes is a configuration error
 * the PCI spec leaves undefined; ursa's defined answers, checked here:
 * guest RAM is a KVM memslot, which KVM serves itself, so a BAR over RAM
 * never sees an access and RAM stays RAM; the same goes for KVM's in-kernel
 * LAPIC page; and on ursa's own MMIO bus the first owner of an address
 * keeps it (devices/pci.c update_mappings()), the newcomer decoding there
 * only once it has left.
 */
#include "hostile.h"

#define RAM_TARGET_SIZE		0x8000
#define LAPIC_ID		0x20	/* SDM Vol. 3A 11.4.6 */
#define LAPIC_VERSION		0x30	/* SDM Vol. 3A 11.4.8 */

static uint8_t ram_target[RAM_TARGET_SIZE] __attribute__((aligned(RAM_TARGET_SIZE)));

/* virtio-blk has one queue: NUMQ reads 1 wherever the BAR decodes. */
static void expect_decodes(const struct hdev *d, uint64_t base, const char *what)
{
	expect(mmio_read16(base + d->common + COMMON_NUMQ), 1,
	       "slot %u: NUMQ at %lx, %s", d->slot, base, what);
}

static void expect_unclaimed(const struct hdev *d, uint64_t base, const char *what)
{
	expect(mmio_read16(base + d->common + COMMON_NUMQ), 0xffff,
	       "slot %u: nothing at %lx, %s", d->slot, base, what);
	expect(mmio_read64(base + d->devcfg), ~0ull,
	       "slot %u: nothing at %lx + devcfg, %s", d->slot, base, what);
}

static void set_queue_select(const struct hdev *d, uint64_t base, uint16_t v)
{
	mmio_write16(base + d->common + COMMON_Q_SELECT, v);
}

static uint16_t queue_select(const struct hdev *d, uint64_t base)
{
	return mmio_read16(base + d->common + COMMON_Q_SELECT);
}

/* 6.2.5.1 says to size with decoding off; with it on, the BAR simply
 * holds the top address of 32-bit space and decodes there. */
static void sizing_while_decoding(const struct hdev *d)
{
	uint32_t top = ~(d->bar_size - 1);

	cfg_set_bar(d, ~0u);
	expect(cfg_read(d, CFG_BAR0, 4), top | (d->cfg[CFG_BAR0] & 0xf),
	       "slot %u: BAR 0 sized while decoding", d->slot);
	expect_decodes(d, top, "sized while decoding");
	expect_unclaimed(d, d->home, "BAR sized away");
	cfg_set_bar(d, d->home);
	expect_decodes(d, d->home, "back home");
}

/* Moves, decode off (6.2.2 Memory Space), and address 0, which ursa
 * treats as unassigned (RAM is there in any case). */
static void moves(const struct hdev *d)
{
	cfg_set_bar(d, FREE_MMIO);
	expect_decodes(d, FREE_MMIO, "moved");
	expect_unclaimed(d, d->home, "moved away");
	cfg_set_bar(d, 0);
	expect_unclaimed(d, FREE_MMIO, "BAR 0 set to address 0");
	cfg_set_bar(d, d->home);
	cfg_set_command(d, PCI_COMMAND_MASTER);
	expect_unclaimed(d, d->home, "memory decoding off");
	cfg_set_command(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	expect_decodes(d, d->home, "memory decoding on");
}

static uint8_t pattern(unsigned int i)
{
	return i * 13 + 7;
}

/*
 * The BAR over guest RAM: reads give RAM, writes (a queue select, a
 * doorbell) land in RAM and never reach the device, and RAM keeps them
 * once the BAR has gone.
 */
static void onto_ram(const struct hdev *d)
{
	uint64_t base = (uint64_t)ram_target;
	uint16_t before = queue_select(d, d->home);

	if (d->bar_size > RAM_TARGET_SIZE)
		hostile_fail("slot %u: BAR 0 larger than the RAM target", d->slot);
	for (unsigned int i = 0; i < RAM_TARGET_SIZE; i++)
		ram_target[i] = pattern(i);
	cfg_set_bar(d, base);
	expect(mmio_read16(base + d->common + COMMON_NUMQ),
	       bytes_le(&ram_target[d->common + COMMON_NUMQ], 2), "BAR on RAM: NUMQ is RAM");
	expect(mmio_read32(base + d->devcfg), bytes_le(&ram_target[d->devcfg], 4),
	       "BAR on RAM: device config is RAM");
	set_queue_select(d, base, 0x5a5a);
	mmio_write16(base + d->notify, 0);
	mmio_write32(base + d->msix_table + 12, 0);
	cfg_set_bar(d, d->home);
	expect(queue_select(d, d->home), before, "BAR on RAM: a write reached the device");
	expect(bytes_le(&ram_target[d->common + COMMON_Q_SELECT], 2), 0x5a5a,
	       "BAR on RAM: the write is in RAM");
	ram_target[d->common + COMMON_Q_SELECT] = pattern(d->common + COMMON_Q_SELECT);
	ram_target[d->common + COMMON_Q_SELECT + 1] = pattern(d->common + COMMON_Q_SELECT + 1);
	for (unsigned int i = 0; i < 2; i++)
		ram_target[d->notify + i] = pattern(d->notify + i);
	for (unsigned int i = 0; i < 4; i++)
		ram_target[d->msix_table + 12 + i] = pattern(d->msix_table + 12 + i);
	for (unsigned int i = 0; i < RAM_TARGET_SIZE; i++)
		expect(ram_target[i], pattern(i), "BAR on RAM: RAM byte %x", i);
}

/* Over the page this very code runs from: it keeps running. */
static void onto_code(const struct hdev *d)
{
	cfg_set_bar(d, STUB_LOAD_GPA & ~(d->bar_size - 1));
	expect(mmio_read32(STUB_LOAD_GPA), STUB_MAGIC, "BAR on the stub: its header");
	cfg_set_bar(d, d->home);
	expect_decodes(d, d->home, "back from the stub's code");
}

/*
 * b onto a: a keeps the address and b decodes nothing there, though its
 * BAR register holds it. When a leaves, b decodes where it was told to
 * (devices/pci.h: a BAR is on the bus while its decoding is enabled, at
 * the address programmed); a moved back onto b waits in turn, and takes
 * its home again when b goes.
 */
static void onto_other_bar(const struct hdev *a, const struct hdev *b)
{
	set_queue_select(a, a->home, 0x11);
	set_queue_select(b, b->home, 0x22);
	cfg_set_bar(b, a->home);
	expect(cfg_read(b, CFG_BAR0, 4), a->home | (b->cfg[CFG_BAR0] & 0xf),
	       "stacked BAR register");
	expect(queue_select(a, a->home), 0x11, "stacked BARs: the first owner answers");
	set_queue_select(a, a->home, 0x33);
	cfg_set_bar(a, FREE_MMIO);
	expect(queue_select(a, FREE_MMIO), 0x33, "stacked BARs: the first owner took the write");
	expect(queue_select(b, a->home), 0x22, "stacked BARs: the second owner takes over");
	cfg_set_bar(a, a->home);
	expect_unclaimed(a, FREE_MMIO, "moved onto a taken place");
	expect(queue_select(b, a->home), 0x22, "stacked BARs: the owner keeps its place");
	cfg_set_bar(b, b->home);
	expect(queue_select(a, a->home), 0x33, "stacked BARs: back to the first owner");
	expect(queue_select(b, b->home), 0x22, "stacked BARs: the second owner back home");
	set_queue_select(a, a->home, 0);
	set_queue_select(b, b->home, 0);
}

/* Onto the ECAM window: config space keeps working. */
static void onto_ecam(const struct hdev *b)
{
	cfg_set_bar(b, ECAM_BASE);
	expect(mmio_read32(b->ecam), VIRTIO_BLK_ID, "BAR on ECAM: config space still there");
	expect(mmio_read16(ECAM_BASE + b->common + COMMON_NUMQ), 0xffff,
	       "BAR on ECAM: slot 0 still absent");
	cfg_set_bar(b, b->home);
	expect_decodes(b, b->home, "back from ECAM");
}

/* Onto the LAPIC: KVM's in-kernel LAPIC keeps its 4 KiB page; the rest of
 * the BAR decodes as usual. */
static void onto_lapic(const struct hdev *b)
{
	uint64_t capacity = mmio_read64(b->home + b->devcfg);

	cfg_set_bar(b, LAPIC_BASE);
	expect(mmio_read32(LAPIC_BASE + LAPIC_VERSION) & 0xf0, 0x10,
	       "BAR on the LAPIC: its version register");
	expect(mmio_read32(LAPIC_BASE + LAPIC_ID), rt_cpu_index() << 24,
	       "BAR on the LAPIC: its ID register");
	if (b->devcfg >= 0x1000)
		expect(mmio_read64(LAPIC_BASE + b->devcfg), capacity,
		       "BAR on the LAPIC: past its page, the device");
	cfg_set_bar(b, b->home);
	expect_decodes(b, b->home, "back from the LAPIC");
}

uint64_t phase_bars(uint64_t arg)
{
	const struct hdev *a = &hdevs[0], *b = &hdevs[1];

	(void)arg;
	for (unsigned int i = 0; i < HOSTILE_DEVICES; i++) {
		expect_decodes(&hdevs[i], hdevs[i].home, "at home");
		sizing_while_decoding(&hdevs[i]);
		moves(&hdevs[i]);
	}
	onto_ram(a);
	onto_code(a);
	onto_other_bar(a, b);
	onto_ecam(b);
	onto_lapic(b);
	return 0;
}
