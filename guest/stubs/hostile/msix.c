// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: the MSI-X table and PBA of device A (PCI Local Bus 3.0 6.8.2).
 *
 * 6.8.2 allows only aligned dword and qword accesses and leaves the rest
 * undefined; ursa's defined answer (devices/msix.c) is to take any access
 * byte by byte, with the bits the spec fixes: Message Address bits 1:0
 * read 0 (6.8.2.6), Vector Control has only the mask bit, set at reset
 * (6.8.2.9), past the last entry reads 0 and writes vanish, the PBA is
 * read-only (6.8.2.10). A message raised while its vector or the whole
 * function is masked is held pending in the PBA and sent when unmasked.
 *
 * Garbage messages go to APIC IDs no vCPU has: KVM, which delivers them,
 * decodes any address as an interrupt message, so a random destination
 * could be a real vCPU and a random delivery mode an INIT.
 */
#include "hostile.h"

#define ENTRY_SIZE		16
#define ADDR_LO			0
#define DATA			8
#define CTRL			12
#define MASKED			1
#define MSI_ADDRESS		0xfee00000u	/* SDM Vol. 3A 11.11.1 */
#define MSI_DEST_SHIFT		12

volatile uint32_t msix_delivered;

static uint64_t entry(const struct hdev *d, unsigned int v)
{
	return d->home + d->msix_table + ENTRY_SIZE * v;
}

/* Masked while it changes, so no half-written message can go out. */
static void set_entry(const struct hdev *d, unsigned int v, uint64_t addr,
		      uint32_t data, uint32_t ctrl)
{
	mmio_write32(entry(d, v) + CTRL, MASKED);
	mmio_write64(entry(d, v) + ADDR_LO, addr);
	mmio_write32(entry(d, v) + DATA, data);
	mmio_write32(entry(d, v) + CTRL, ctrl);
}

static void set_control(const struct hdev *d, uint16_t bits)
{
	cfg_write(d, d->msix_cap + 2, 2, bits);
}

static void reset_table(const struct hdev *d)
{
	for (unsigned int v = 0; v < d->msix_vectors; v++)
		set_entry(d, v, 0, 0, MASKED);
}

/* 6.8.2.9: every vector starts masked; reserved control bits read 0. */
static void vector_control(const struct hdev *d)
{
	for (unsigned int v = 0; v < d->msix_vectors; v++)
		expect(mmio_read32(entry(d, v) + CTRL), MASKED, "vector %u masked at reset", v);
	mmio_write32(entry(d, 0) + CTRL, ~0u);
	expect(mmio_read32(entry(d, 0) + CTRL), MASKED, "vector control, all ones written");
	mmio_write32(entry(d, 0) + CTRL, 0);
	expect(mmio_read32(entry(d, 0) + CTRL), 0, "vector control, unmasked");
	mmio_write32(entry(d, 0) + CTRL, MASKED);
}

/* Qwords, a dword across two fields, bytes, and a qword across two
 * entries; address bits 1:0 always read 0 (6.8.2.6). */
static void odd_accesses(const struct hdev *d)
{
	uint64_t e = entry(d, 0);

	mmio_write32(e + ADDR_LO, ~0u);
	expect(mmio_read32(e + ADDR_LO), 0xfffffffc, "address bits 1:0");
	mmio_write64(e + ADDR_LO, 0x0123456789abcdefull);
	expect(mmio_read64(e + ADDR_LO), 0x0123456789abcdecull, "qword address");
	mmio_write64(e + DATA, (uint64_t)MASKED << 32 | 0xfeedf00d);
	expect(mmio_read32(e + DATA), 0xfeedf00d, "qword data and control: data");
	expect(mmio_read32(e + CTRL), MASKED, "qword data and control: control");
	mmio_write32(e + 2, 0xaabbccdd);
	expect(mmio_read64(e + ADDR_LO), 0x0123aabbccddcdecull, "dword across two fields");
	for (unsigned int i = 0; i < 4; i++)
		mmio_write8(e + DATA + i, 0x10 + i);
	expect(mmio_read32(e + DATA), 0x13121110, "byte writes of data");
	expect(mmio_read16(e + DATA + 1), 0x1211, "misaligned word read");
	mmio_write64(e + CTRL, 0x76543213fffffffeull);
	expect(mmio_read32(e + CTRL), 0, "qword across entries: vector 0 control");
	expect(mmio_read32(entry(d, 1) + ADDR_LO), 0x76543210, "qword across entries: vector 1");
	reset_table(d);
}

/* Past the last entry, to the end of the table's page: 0, read-only. */
static void past_the_table(const struct hdev *d)
{
	uint64_t end = entry(d, d->msix_vectors);
	uint64_t page_end = d->home + ((d->msix_table + 0x1000) & ~0xfffu);

	for (uint64_t a = end; a < page_end; a += 8)
		mmio_write64(a, ~0ull);
	for (uint64_t a = end; a < page_end; a += 8)
		expect(mmio_read64(a), 0, "past the table at %lx", a - d->home);
	expect(mmio_read32(end - 2), 0, "dword across the table's end");
	expect(mmio_read32(entry(d, d->msix_vectors - 1) + CTRL), MASKED,
	       "last vector after writes past the table");
}

uint64_t phase_msix_table(uint64_t arg)
{
	const struct hdev *d = &hdevs[0];

	(void)arg;
	vector_control(d);
	odd_accesses(d);
	past_the_table(d);
	return 0;
}

static uint64_t pba(const struct hdev *d)
{
	return mmio_read64(d->home + d->msix_pba);
}

/* The message is raised just after the used element is published. */
static void wait_pending(const struct hdev *d, const char *what)
{
	uint64_t deadline = deadline_after_ms(2000);

	while (!(pba(d) & 1))
		if (deadline_passed(deadline))
			hostile_fail("%s: pending bit never set", what);
	hostile_checks++;
}

/* An APIC ID no vCPU has (0x80-0xfe, even; not the broadcast 0xff). */
static uint32_t nowhere_dest(uint32_t r)
{
	return 0x80 | (r & 0x7e);
}

static uint64_t nowhere(uint32_t r)
{
	return MSI_ADDRESS | nowhere_dest(r) << MSI_DEST_SHIFT;
}

static void route_queue(const struct hdev *d, uint16_t queue_vector, uint16_t config_vector)
{
	uint64_t common = d->home + d->common;

	mmio_write16(common + COMMON_MSIX, config_vector);
	expect(mmio_read16(common + COMMON_MSIX), config_vector, "config vector");
	mmio_write16(common + COMMON_Q_SELECT, 0);
	mmio_write16(common + COMMON_Q_MSIX, queue_vector);
	expect(mmio_read16(common + COMMON_Q_MSIX), queue_vector, "queue vector");
}

/* 6.8.2.9-10: masked vector, then function mask: pending, and the bit
 * clears when the message goes out on unmasking. */
uint64_t phase_msix_pending(uint64_t arg)
{
	const struct hdev *d = &hdevs[0];

	(void)arg;
	vq_start(d);
	set_entry(d, 0, nowhere(0x7e), 0x31, MASKED);
	set_control(d, MSIX_CTRL_ENABLE);
	route_queue(d, 0, VIRTIO_NO_VECTOR);
	expect(pba(d), 0, "PBA before");
	expect(vq_request(d, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "masked vector: read");
	wait_pending(d, "masked vector");
	mmio_write32(entry(d, 0) + CTRL, 0);
	expect(pba(d), 0, "PBA after unmasking the vector");

	set_control(d, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	expect(vq_request(d, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "function mask: read");
	wait_pending(d, "function mask");
	set_control(d, MSIX_CTRL_ENABLE);
	expect(pba(d), 0, "PBA after clearing the function mask");
	return 0;
}

static uint32_t next_random(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return *seed >> 32;
}

/*
 * Random addresses (high dword included), data (every delivery mode,
 * vector and trigger) and reserved control bits, unmasked. Only the
 * destination ID (address bits 19:12) is forced to nowhere, in physical
 * mode without redirection hint (bits 3:2 clear; SDM Vol. 3A 11.11.1).
 */
static void garbage_table(const struct hdev *d, uint64_t *seed)
{
	for (unsigned int v = 0; v < d->msix_vectors; v++) {
		uint32_t lo = next_random(seed) & ~(0xffu << MSI_DEST_SHIFT | 0xc);
		uint32_t hi = next_random(seed);

		lo |= nowhere_dest(next_random(seed)) << MSI_DEST_SHIFT;
		set_entry(d, v, (uint64_t)hi << 32 | lo, next_random(seed),
			  next_random(seed) & ~MASKED);
	}
}

/*
 * Garbage in every entry, MSI-X toggled on and off around requests that
 * raise the vectors: every request completes and the device stays well;
 * unmasked messages go out (nothing pending), to nobody.
 */
uint64_t phase_msix_garbage(uint64_t arg)
{
	const struct hdev *d = &hdevs[0];
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	(void)arg;
	route_queue(d, 0, 1);
	for (unsigned int round = 0; round < 16; round++) {
		garbage_table(d, &seed);
		set_control(d, round & 1 ? 0 : MSIX_CTRL_ENABLE);
		expect(vq_request(d, BLK_T_IN, round, vq_data[0], 512), BLK_S_OK,
		       "garbage round %u: read", round);
		expect(vq_status(d), STATUS_ALL_OK, "garbage round %u: device status", round);
	}
	set_control(d, MSIX_CTRL_ENABLE);
	expect(pba(d), 0, "PBA after garbage");
	return 0;
}

/* After the garbage, a real message: vector 0 to vCPU 0's APIC. The
 * caller waits for it at CPL0. */
uint64_t phase_msix_deliver(uint64_t arg)
{
	const struct hdev *d = &hdevs[0];

	(void)arg;
	reset_table(d);
	set_entry(d, 0, MSI_ADDRESS | rt_cpu_index() << MSI_DEST_SHIFT,
		  HOSTILE_MSIX_VECTOR, 0);
	route_queue(d, 0, VIRTIO_NO_VECTOR);
	expect(vq_request(d, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "delivered vector: read");
	return 0;
}

/*
 * MSI-X off: the queue interrupt is INTx with the ISR's queue bit
 * (VIRTIO 1.2 4.1.4.5), and STATUS.Interrupt Status follows the pin
 * (PCI Local Bus 3.0 6.2.3). Reading the ISR clears it and deasserts.
 */
uint64_t phase_intx_isr(uint64_t arg)
{
	const struct hdev *d = &hdevs[0];
	uint64_t deadline = deadline_after_ms(2000);

	(void)arg;
	set_control(d, 0);
	mmio_read8(d->home + d->isr);	/* the garbage rounds without MSI-X */
	expect(cfg_read(d, CFG_STATUS, 2) & PCI_STATUS_INTERRUPT, 0, "Interrupt Status before");
	expect(vq_request(d, BLK_T_IN, 0, vq_data[0], 512), BLK_S_OK, "INTx read");
	while (!(cfg_read(d, CFG_STATUS, 2) & PCI_STATUS_INTERRUPT))
		if (deadline_passed(deadline))
			hostile_fail("INTx: Interrupt Status never set");
	for (unsigned int off = 1; off < 8; off++)
		expect(mmio_read(d->home + d->isr + off, off & 1 ? 1 : off & 2 ? 2 : 4), 0,
		       "ISR + %u", off);
	expect(mmio_read8(d->home + d->isr), 1, "ISR queue bit");
	expect(cfg_read(d, CFG_STATUS, 2) & PCI_STATUS_INTERRUPT, 0, "Interrupt Status after");
	expect(mmio_read8(d->home + d->isr), 0, "ISR after reading it");
	reset_table(d);
	return 0;
}
