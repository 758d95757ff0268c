/*
 * A PCI device seen through Linux's sysfs, for the static helpers the
 * nested machine's Linux guests run (pci-peek, bar-hammer): find a device
 * by its IDs, read and write its command register through the config
 * file, and map a page of a memory BAR through resourceN.
 *
 * Errors end the program: one line on stderr, prefixed with the program's
 * name (sysfs_pci_prog), exit status 1 (2 for usage errors, die(2, ...)).
 */
#ifndef SYSFS_PCI_H
#define SYSFS_PCI_H

#include <stddef.h>
#include <stdint.h>

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_NUM_BARS		6

extern const char *sysfs_pci_prog;

void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...);

/* A whole number in base (0: C rules) that fits in max; 0 if not. */
int parse_num(const char *s, int base, unsigned long max, unsigned long *out);

/* The BDF ("0000:00:10.0") of the device with the lowest address among
 * those with these IDs; dies if there is none. */
void find_device(unsigned long vendor, unsigned long device, char *bdf,
		 size_t len);

uint16_t read_command(const char *bdf);
/* Writes the command register through the config file (a config write the
 * VMM traps, as a driver's pci_write_config_word() is). */
void write_command(int config_fd, uint16_t cmd);
/* The config file, open for writing. */
int open_config(const char *bdf);

/* pci_enable_device() through the enable file if memory decoding is off. */
void enable_memory(const char *bdf);

/* The size of memory BAR `bar`; dies if it is no memory BAR. */
unsigned long long bar_size(const char *bdf, unsigned int bar);

/* The 32-bit register at `offset` of memory BAR `bar`, mapped through
 * resourceN (a read-write shared mapping when `writable`). Checks that the
 * offset is inside the BAR. */
volatile uint32_t *map_register(const char *bdf, unsigned int bar,
				unsigned long offset, int writable);

#endif
