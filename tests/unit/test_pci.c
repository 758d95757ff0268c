// SPDX-License-Identifier: GPL-2.0-only
/* PCI config space through 0xCF8/0xCFC and ECAM, BAR sizing and mapping,
 * and what a hostile guest can do to them. */
#include "check.h"
#include "devices/pci.h"
#include "vmm/bytes.h"
#include "vmm/layout.h"

static struct bus pio, mmio;
static struct pci_host host;
static unsigned int bar_hits;

static void bar_read(void *opaque, uint64_t offset, uint8_t *data, unsigned int size)
{
	bar_hits++;
	le_store(data, size, (uintptr_t)opaque + offset);
}

static void bar_write(void *opaque, uint64_t offset, const uint8_t *data,
		      unsigned int size)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)size;
	bar_hits++;
}

static const struct bus_ops bar_ops = { bar_read, bar_write };

/* A device that serves its own config space (as an assigned one does):
 * byte o reads o & 0xff; the widest access it was handed is kept. */
static unsigned int ops_widest;

static void ops_read(struct pci_device *dev, unsigned int offset, uint8_t *data,
		     unsigned int size)
{
	(void)dev;
	if (size > ops_widest)
		ops_widest = size;
	for (unsigned int i = 0; i < size; i++)
		data[i] = offset + i;
}

static void ops_write(struct pci_device *dev, unsigned int offset,
		      const uint8_t *data, unsigned int size)
{
	(void)dev;
	(void)offset;
	(void)data;
	if (size > ops_widest)
		ops_widest = size;
}

static const struct pci_config_ops own_config = { ops_read, ops_write };

static int intx_slot = -1, intx_pin = -1;
static bool intx_level;

static void record_intx(void *opaque, unsigned int slot, unsigned int pin, bool level)
{
	(void)opaque;
	intx_slot = slot;
	intx_pin = pin;
	intx_level = level;
}

static uint32_t cfg_read(unsigned int slot, unsigned int reg, unsigned int size)
{
	uint8_t d[4];

	le_store(d, 4, 0x80000000u | slot << 11 | (reg & 0xfc));
	bus_access(&pio, 0xcf8, d, 4, true);
	bus_access(&pio, 0xcfc + (reg & 3), d, size, false);
	return le_load(d, size);
}

static void cfg_write(unsigned int slot, unsigned int reg, unsigned int size,
		      uint32_t v)
{
	uint8_t d[4];

	le_store(d, 4, 0x80000000u | slot << 11 | (reg & 0xfc));
	bus_access(&pio, 0xcf8, d, 4, true);
	le_store(d, size, v);
	bus_access(&pio, 0xcfc + (reg & 3), d, size, true);
}

/* Bytes the access leaves alone would read back as 0xee. */
static uint64_t mmio_read(uint64_t addr, unsigned int size)
{
	uint8_t d[8];

	memset(d, 0xee, sizeof(d));
	bus_access(&mmio, addr, d, size, false);
	return le_load(d, size);
}

int main(void)
{
	struct pci_device dev, dev2, dev3;
	struct layout l;
	char err[256];
	uint8_t d[8];
	uint32_t bar0, bar2;
	uint8_t cap1, cap2;

	CHECK(!layout_compute(1ull << 30, 40, &l, err, sizeof(err)));
	bus_init(&pio, "pio");
	bus_init(&mmio, "mmio");
	CHECK(!pci_host_init(&host, &pio, &mmio, &l, record_intx, NULL, err, sizeof(err)));

	pci_device_init(&dev, "test", 0x1af4, 0x1042, 0x010000, 0x1af4, 2);
	pci_device_add_bar(&dev, 0, PCI_BAR_MEM32, false, 3000, &bar_ops, (void *)0x1000);
	pci_device_add_bar(&dev, 2, PCI_BAR_MEM64, true, 0x4000, &bar_ops, (void *)0x2000);
	pci_device_add_bar(&dev, 4, PCI_BAR_IO, false, 20, &bar_ops, (void *)0x3000);
	cap1 = pci_device_add_capability(&dev, 0x09, 16);
	cap2 = pci_device_add_capability(&dev, 0x11, 12);
	CHECK_EQ_U64(cap1, 0x40);
	CHECK_EQ_U64(cap2, 0x50);
	CHECK(!pci_host_add_device(&host, &dev, 0, err, sizeof(err)));
	CHECK_EQ_U64(dev.slot, 1);

	/* Identity and absence. */
	CHECK_EQ_U64(cfg_read(1, 0, 4), 0x10421af4);
	CHECK_EQ_U64(cfg_read(1, 2, 2), 0x1042);
	CHECK_EQ_U64(cfg_read(1, 0x0b, 1), 0x01);		/* class: storage */
	CHECK_EQ_U64(cfg_read(2, 0, 4), 0xffffffff);		/* empty slot */
	CHECK_EQ_U64(cfg_read(0, 0, 4), 0xffffffff);
	le_store(d, 4, 0x80000000u | 1 << 11 | 1 << 8);		/* function 1 */
	bus_access(&pio, 0xcf8, d, 4, true);
	bus_access(&pio, 0xcfc, d, 4, false);
	CHECK_EQ_U64(le_load(d, 4), 0xffffffff);
	le_store(d, 4, 0x80000000u | 1 << 16 | 1 << 11);	/* bus 1 */
	bus_access(&pio, 0xcf8, d, 4, true);
	bus_access(&pio, 0xcfc, d, 4, false);
	CHECK_EQ_U64(le_load(d, 4), 0xffffffff);
	le_store(d, 4, 1 << 11);				/* enable bit clear */
	bus_access(&pio, 0xcf8, d, 4, true);
	bus_access(&pio, 0xcfc, d, 4, false);
	CHECK_EQ_U64(le_load(d, 4), 0xffffffff);
	bus_access(&pio, 0xcf8, d, 4, false);
	CHECK_EQ_U64(le_load(d, 4), 1 << 11);
	/* ECAM agrees, and the extended space reads 0. */
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (1 << 15), 4), 0x10421af4);
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (1 << 15) + 0x100, 4), 0);
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (3 << 15), 4), 0xffffffff);

	/* Capabilities: status bit and a linked list. */
	CHECK(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	CHECK_EQ_U64(cfg_read(1, PCI_CAPABILITY_LIST, 1), 0x40);
	CHECK_EQ_U64(cfg_read(1, 0x41, 1), 0x50);
	CHECK_EQ_U64(cfg_read(1, 0x51, 1), 0);

	/* Placed like firmware would: aligned, in the windows. */
	bar0 = cfg_read(1, 0x10, 4);
	bar2 = cfg_read(1, 0x18, 4);
	CHECK_EQ_U64(bar0, LAYOUT_PCI_MMIO32_BASE);
	CHECK_EQ_U64(bar2 & 0xf, 0xc);				/* 64-bit, prefetchable */
	CHECK_EQ_U64(((uint64_t)cfg_read(1, 0x1c, 4) << 32 | (bar2 & ~0xfu)), l.pci_mmio64_base);
	CHECK_EQ_U64(cfg_read(1, 0x20, 4), LAYOUT_PCI_PIO_BASE | 1);

	/* Nothing decodes until COMMAND says so. */
	CHECK_EQ_U64(mmio_read(bar0 + 4, 4), 0xffffffff);
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	CHECK_EQ_U64(mmio_read(bar0 + 4, 4), 0x1004);
	CHECK_EQ_U64(mmio_read(l.pci_mmio64_base + 8, 8), 0x2008);
	bus_access(&pio, LAYOUT_PCI_PIO_BASE + 2, d, 2, false);
	CHECK_EQ_U64(le_load(d, 2), 0x3002);

	/* Sizing: all ones reads back the size mask (3000 became 4 KiB). */
	cfg_write(1, PCI_COMMAND, 2, 0);
	cfg_write(1, 0x10, 4, 0xffffffff);
	CHECK_EQ_U64(cfg_read(1, 0x10, 4), 0xfffff000);
	cfg_write(1, 0x20, 4, 0xffffffff);
	CHECK_EQ_U64(cfg_read(1, 0x20, 4), 0xffffffe1);	/* 32 ports, I/O */
	cfg_write(1, 0x1c, 4, 0xffffffff);
	CHECK_EQ_U64(cfg_read(1, 0x1c, 4), 0xffffffff);
	/* Relocation, then enabling: the BAR decodes at the new place only. */
	cfg_write(1, 0x10, 4, 0xd0000000);
	cfg_write(1, 0x1c, 4, 0);
	cfg_write(1, 0x18, 4, 0xd0010000);
	cfg_write(1, 0x20, 4, 0xc100);
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK_EQ_U64(mmio_read(0xd0000010, 4), 0x1010);
	CHECK_EQ_U64(mmio_read(bar0, 4), 0xffffffff);
	CHECK_EQ_U64(mmio_read(0xd0010000, 4), 0x2000);
	bus_access(&pio, 0xc100, d, 1, false);
	CHECK_EQ_U64(d[0], 0xff);				/* I/O decode off */
	/* Moving while enabled. */
	cfg_write(1, 0x10, 4, 0xd0100000);
	CHECK_EQ_U64(mmio_read(0xd0000010, 4), 0xffffffff);
	CHECK_EQ_U64(mmio_read(0xd0100010, 4), 0x1010);

	/* Read-only and RW1C bits. */
	cfg_write(1, 0, 4, 0x12345678);
	CHECK_EQ_U64(cfg_read(1, 0, 4), 0x10421af4);
	dev.cfg[PCI_STATUS + 1] |= 0x80;			/* parity error seen */
	cfg_write(1, PCI_STATUS, 2, 0x8000 | PCI_STATUS_CAP_LIST);
	CHECK_EQ_U64(cfg_read(1, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
	cfg_write(1, PCI_INTERRUPT_LINE, 1, 11);
	CHECK_EQ_U64(cfg_read(1, PCI_INTERRUPT_LINE, 1), 11);

	/* Hostile placements never crash and never map a wrapping range. */
	cfg_write(1, 0x10, 4, 0xfffff000);			/* ends at 4 GiB: fine */
	CHECK_EQ_U64(mmio_read(0xfffff004, 4), 0x1004);
	/* Aligned BARs cannot wrap: the top of the 64-bit space is legal. */
	cfg_write(1, 0x1c, 4, 0xffffffff);
	cfg_write(1, 0x18, 4, 0xfffffff0);
	CHECK(dev.bars[2].mapped && dev.bars[2].mapped_at == 0xffffffffffffc000ull);
	CHECK_EQ_U64(mmio_read(0xfffffffffffffff8ull, 8), 0x2000 + 0x3ff8);
	cfg_write(1, 0x10, 4, LAYOUT_ECAM_BASE);		/* onto ECAM: refused */
	CHECK(!dev.bars[0].mapped);
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (1 << 15), 4), 0x10421af4);
	/* Writes past 256 bytes, and a dword at the very end. */
	le_store(d, 4, 0xffffffff);
	bus_access(&mmio, LAYOUT_ECAM_BASE + (1 << 15) + 0x200, d, 4, true);
	bus_access(&mmio, LAYOUT_ECAM_BASE + (1 << 15) + 0xfc, d, 4, true);
	CHECK_EQ_U64(cfg_read(1, 0xfc, 4), 0);

	/* INTx: the pin's line follows the device, gated by INTX_DISABLE. */
	dev.cfg[PCI_INTERRUPT_PIN] = 2;				/* INTB */
	pci_device_set_intx(&dev, true);
	CHECK(intx_slot == 1 && intx_pin == 1 && intx_level);
	CHECK(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	CHECK(!intx_level);
	CHECK(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
	cfg_write(1, PCI_COMMAND, 2, 0);
	CHECK(intx_level);
	pci_device_set_intx(&dev, false);
	CHECK(!intx_level);
	CHECK(!(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT));

	/* A second device gets the next slot and its own BAR space. */
	pci_device_init(&dev2, "test2", 0x1af4, 0x1041, 0x020000, 0x1af4, 1);
	pci_device_add_bar(&dev2, 0, PCI_BAR_MEM32, false, 0x1000, &bar_ops, (void *)0x4000);
	CHECK(!pci_host_add_device(&host, &dev2, 0, err, sizeof(err)));
	CHECK_EQ_U64(dev2.slot, 2);
	CHECK_EQ_U64(cfg_read(2, 0x10, 4), LAYOUT_PCI_MMIO32_BASE + 0x1000);

	/* Stacked BARs: the second stays off the bus while the first holds
	 * the place, and takes it once the first has moved away. */
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(1, 0x10, 4, 0xd0200000);
	cfg_write(2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	cfg_write(2, 0x10, 4, 0xd0200000);
	CHECK(dev.bars[0].mapped && !dev2.bars[0].mapped);
	CHECK_EQ_U64(mmio_read(0xd0200004, 4), 0x1004);
	cfg_write(1, 0x10, 4, 0xd0300000);
	CHECK(dev2.bars[0].mapped && dev2.bars[0].mapped_at == 0xd0200000);
	CHECK_EQ_U64(mmio_read(0xd0200004, 4), 0x4004);
	CHECK_EQ_U64(mmio_read(0xd0300004, 4), 0x1004);
	/* Back onto the taken place: off the bus until the holder stops
	 * decoding. */
	cfg_write(1, 0x10, 4, 0xd0200000);
	CHECK(!dev.bars[0].mapped);
	cfg_write(2, PCI_COMMAND, 2, 0);
	CHECK(dev.bars[0].mapped);
	CHECK_EQ_U64(mmio_read(0xd0200004, 4), 0x1004);

	/* A device with its own config space gets at most 4 bytes at a
	 * time: an 8-byte ECAM access comes in two pieces, every byte read
	 * is the device's, and nothing past its 4 KiB reaches it. */
	pci_device_init(&dev3, "own", 0x8086, 0x10d3, 0x020000, 0x8086, 1);
	dev3.config_ops = &own_config;
	CHECK(!pci_host_add_device(&host, &dev3, 5, err, sizeof(err)));
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (5 << 15) + 0x10, 8), 0x1716151413121110);
	CHECK_EQ_U64(mmio_read(LAYOUT_ECAM_BASE + (5 << 15) + 0xffc, 8), 0xfffefdfc);
	le_store(d, 8, ~0ull);
	bus_access(&mmio, LAYOUT_ECAM_BASE + (5 << 15) + 0x40, d, 8, true);
	CHECK_EQ_U64(ops_widest, 4);

	pci_host_destroy(&host);
	bus_destroy(&pio);
	bus_destroy(&mmio);
	return check_report("pci");
}
