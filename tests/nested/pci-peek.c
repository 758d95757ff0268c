/*
 * pci-peek VENDOR DEVICE BAR OFFSET: read 32 bits from a memory BAR of a
 * PCI device through sysfs and print one line "BDF 0xVALUE".
 *
 * The device is the one with the lowest address among those in
 * /sys/bus/pci/devices whose vendor and device files say VENDOR and DEVICE
 * (hex, with or without 0x). BAR is 0-5; OFFSET (a multiple of 4, decimal
 * or 0x hex) is where in the BAR to read. A memory BAR's resourceN file
 * only supports mmap, not read(), so the page holding OFFSET is mapped.
 * A device that does not decode memory (PCI_COMMAND_MEMORY clear) is
 * enabled first by writing 1 to its enable file (pci_enable_device; the
 * kernel refuses that while a driver holds the device).
 *
 * Built statically by run-nested (with sysfs-pci.c) and run by the Linux guest's init
 * (guest_mode=vfio) under ursa. Errors: one line on stderr, exit status 1
 * (2 for a usage error).
 */
#include <stdio.h>

#include "sysfs-pci.h"

const char *sysfs_pci_prog = "pci-peek";

int main(int argc, char **argv)
{
	unsigned long vendor, device, bar, offset;
	volatile uint32_t *reg;
	char bdf[256];

	if (argc != 5)
		die(2, "usage: pci-peek VENDOR DEVICE BAR OFFSET");
	if (!parse_num(argv[1], 16, 0xffff, &vendor))
		die(2, "bad vendor ID '%s'", argv[1]);
	if (!parse_num(argv[2], 16, 0xffff, &device))
		die(2, "bad device ID '%s'", argv[2]);
	if (!parse_num(argv[3], 10, PCI_NUM_BARS - 1, &bar))
		die(2, "bad BAR '%s' (0-%d)", argv[3], PCI_NUM_BARS - 1);
	if (!parse_num(argv[4], 0, ~0UL, &offset) || offset % 4)
		die(2, "bad offset '%s' (a multiple of 4)", argv[4]);

	find_device(vendor, device, bdf, sizeof(bdf));
	reg = map_register(bdf, bar, offset, 0);
	enable_memory(bdf);
	printf("%s 0x%08x\n", bdf, *reg);
	return 0;
}
