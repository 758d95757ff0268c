// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration mechanism #1: write the address of a dword to 0xCF8
 * (bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2),
 * then access 0xCFC + (offset & 3) with the access size.
 */
#include "rt.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

/* PCI Local Bus 3.0 6.1 (vendor and device IDs), 6.2.5.1 (BARs). */
#define PCI_STATUS		0x06
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_CAPABILITY_LIST	0x34
#define PCI_BAR_IO		0x1
#define PCI_BAR_TYPE		0x6
#define PCI_BAR_TYPE_64		0x4
#define PCI_BAR_MEM_MASK	(~0xfu)

static struct rt_lock config_lock;

static void select_dword(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	outl(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)bus << 16 |
				 (uint32_t)(dev & 0x1f) << 11 |
				 (uint32_t)(fn & 7) << 8 | (off & 0xfc));
}

uint32_t rt_pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		     unsigned int size)
{
	uint16_t port = PCI_CONFIG_DATA + (off & 3);
	uint32_t v;

	rt_lock(&config_lock);
	select_dword(bus, dev, fn, off);
	if (size == 1)
		v = inb(port);
	else if (size == 2)
		v = inw(port);
	else
		v = inl(port);
	rt_unlock(&config_lock);
	return v;
}

void rt_pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		  unsigned int size, uint32_t val)
{
	uint16_t port = PCI_CONFIG_DATA + (off & 3);

	rt_lock(&config_lock);
	select_dword(bus, dev, fn, off);
	if (size == 1)
		outb(port, val);
	else if (size == 2)
		outw(port, val);
	else
		outl(port, val);
	rt_unlock(&config_lock);
}

int rt_pci_find(uint16_t vendor, uint16_t device)
{
	uint32_t want = (uint32_t)device << 16 | vendor;

	for (int dev = 0; dev < 32; dev++)
		if (rt_pci_read(0, dev, 0, PCI_VENDOR_ID, 4) == want)
			return dev;
	return -1;
}

uint64_t rt_pci_bar_address(uint8_t dev, unsigned int bar)
{
	uint16_t off = PCI_BAR0 + 4 * bar;
	uint32_t lo = rt_pci_read(0, dev, 0, off, 4);
	uint32_t hi = 0;

	if (lo & PCI_BAR_IO)
		return 0;
	if ((lo & PCI_BAR_TYPE) == PCI_BAR_TYPE_64 && bar < 5)
		hi = rt_pci_read(0, dev, 0, off + 4, 4);
	return (uint64_t)hi << 32 | (lo & PCI_BAR_MEM_MASK);
}

/* Whether BAR bar is the upper half of the 64-bit BAR before it. */
static bool upper_half(uint8_t dev, unsigned int bar)
{
	uint32_t below;

	if (!bar)
		return false;
	below = rt_pci_read(0, dev, 0, PCI_BAR0 + 4 * (bar - 1), 4);
	return !(below & PCI_BAR_IO) && (below & PCI_BAR_TYPE) == PCI_BAR_TYPE_64;
}

/* All ones written to a BAR read back with the address bits below its
 * size clear (6.2.5.1); the register's own value goes back afterwards. */
static uint32_t size_mask(uint8_t dev, uint16_t off)
{
	uint32_t old = rt_pci_read(0, dev, 0, off, 4), mask;

	rt_pci_write(0, dev, 0, off, 4, 0xffffffff);
	mask = rt_pci_read(0, dev, 0, off, 4);
	rt_pci_write(0, dev, 0, off, 4, old);
	return mask;
}

uint64_t rt_pci_bar_size(uint8_t dev, unsigned int bar)
{
	uint16_t off = PCI_BAR0 + 4 * bar;
	uint16_t cmd = rt_pci_read(0, dev, 0, PCI_COMMAND, 2);
	uint32_t lo;
	uint64_t mask;

	if (bar > 5)
		return 0;
	lo = rt_pci_read(0, dev, 0, off, 4);
	if ((lo & PCI_BAR_IO) || upper_half(dev, bar))
		return 0;
	rt_pci_write(0, dev, 0, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY);
	mask = size_mask(dev, off) & PCI_BAR_MEM_MASK;
	if ((lo & PCI_BAR_TYPE) == PCI_BAR_TYPE_64 && bar < 5)
		mask |= (uint64_t)size_mask(dev, off + 4) << 32;
	else if (mask)
		mask |= ~0ull << 32;
	rt_pci_write(0, dev, 0, PCI_COMMAND, 2, cmd);
	return ~mask + 1;
}

uint8_t rt_pci_find_cap(uint8_t dev, uint8_t id)
{
	uint8_t off;

	if (!(rt_pci_read(0, dev, 0, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
		return 0;
	off = rt_pci_read(0, dev, 0, PCI_CAPABILITY_LIST, 1) & ~3;
	/* At most 48 capabilities fit in 192 bytes: a loop is a bad device. */
	for (unsigned int n = 0; off >= 0x40 && n < 48; n++) {
		if (rt_pci_read(0, dev, 0, off, 1) == id)
			return off;
		off = rt_pci_read(0, dev, 0, off + 1, 1) & ~3;
	}
	return 0;
}
