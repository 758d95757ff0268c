// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration mechanism #1: write the address of a dword to 0xCF8
 * (bit 31 enable, bus 23:16, device 15:11, function 10:8, register 7:2),
 * then access 0xCFC + (offset & 3) with the access size.
 */
#include "rt.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_DATA		0xcfc

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
