/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Config-space virtualization of an assigned PCI function: what the guest
 * reads and writes in the device's 256-byte configuration space.
 *
 * Emulated by ursa: the BARs and expansion ROM BAR (addresses are the
 * guest's, sizes the device's), the capability pointer and the chain's
 * next pointers (only PM, MSI, PCIe and MSI-X are listed), the whole MSI
 * capability and MSI-X message control (interrupts are delivered through
 * KVM, not by letting the guest program the device), the interrupt line,
 * the multi-function bit (the guest sees a single function) and the
 * capability-list status bit. Everything else goes to the device through
 * its config region, which vfio-pci filters in turn
 * (drivers/vfio/pci/vfio_pci_config.c). Extended config space (0x100 and
 * up) reads 0: no extended capabilities.
 *
 * Pure: the device is reached through struct vfio_config_io, and what a
 * write means to the rest of ursa is reported through the hooks, so that
 * the unit tests can run it against a fake region.
 */
#ifndef URSA_VFIO_CONFIG_H
#define URSA_VFIO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"

/* BARs 0-5 and the expansion ROM, numbered as VFIO numbers the regions
 * (VFIO_PCI_BAR0_REGION_INDEX .. VFIO_PCI_ROM_REGION_INDEX). */
#define VFIO_BAR_ROM		PCI_NUM_BARS
#define VFIO_NR_BARS		(PCI_NUM_BARS + 1)

/* PCI capability IDs (PCI Code and ID Assignment 1.11, 2). */
#define PCI_CAP_ID_PM		0x01
#define PCI_CAP_ID_MSI		0x05
#define PCI_CAP_ID_EXP		0x10
#define PCI_CAP_ID_MSIX		0x11

#define PCI_ROM_ADDRESS		0x30
#define  PCI_ROM_ENABLE		0x1

/* The device's config region: false when the transfer failed. */
struct vfio_config_io {
	bool (*read)(void *opaque, unsigned int off, void *buf, unsigned int len);
	bool (*write)(void *opaque, unsigned int off, const void *buf,
		      unsigned int len);
	void *opaque;
};

struct vfio_config_hooks {
	/* COMMAND goes from old to new. before: the device has not seen it
	 * yet; after: it has. */
	void (*command)(void *opaque, uint16_t old, uint16_t new, bool before);
	/* The PM capability's power state goes from old to new (0-3: D0 to
	 * D3hot); before and after the device sees it, as for COMMAND. */
	void (*power)(void *opaque, unsigned int old, unsigned int new,
		      bool before);
	/* A function-level reset through PCIe Device Control; before and
	 * after the device sees it. By "after", the emulated registers are
	 * back at their reset values and the msi_written and msix_control
	 * hooks have been called for them. */
	void (*flr)(void *opaque, bool before);
	/* The guest wrote BAR bar (VFIO_BAR_ROM: the ROM BAR). */
	void (*bar_written)(void *opaque, unsigned int bar);
	/* The guest wrote the MSI capability. */
	void (*msi_written)(void *opaque);
	/* The guest wrote MSI-X message control. */
	void (*msix_control)(void *opaque, uint16_t ctrl);
	/* The MSI pending bits as the guest should read them. */
	uint32_t (*msi_pending)(void *opaque);
	void *opaque;
};

struct vfio_msi_state {
	bool enabled;
	uint64_t address;
	uint32_t data;
	bool masked;		/* vector 0's mask bit, when maskable */
};

struct vfio_config {
	struct vfio_config_io io;
	struct vfio_config_hooks hooks;
	uint8_t *vcfg;			/* emulated bytes: the pci_device's cfg */
	uint8_t *wmask;			/* and its writable bits */
	uint8_t emulated[PCI_CFG_SIZE];	/* per byte, bits served from vcfg */
	uint8_t reset_vcfg[PCI_CFG_SIZE]; /* vcfg at power-on, which an FLR restores */
	struct pci_bar bars[PCI_NUM_BARS];	/* kind, prefetchable, size */
	uint64_t rom_size;		/* 0: no ROM */
	uint8_t msi, msix, pm, pcie;	/* offsets of listed capabilities, 0 if none */
	bool msi_64, msi_maskable;
	unsigned int msix_vectors;	/* as the guest sees the table */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_offset, msix_pba_offset;
};

/*
 * Read the device's config space through io and set up the emulation in
 * vcfg/wmask (PCI_CFG_SIZE bytes each, zeroed by the caller). sizes are
 * the VFIO region sizes of BARs 0-5 and the ROM (a 64-bit BAR's size is on
 * its low index). max_msix_vectors caps the table the guest is shown.
 * 0, or -1 with err.
 */
int vfio_config_init(struct vfio_config *c, const struct vfio_config_io *io,
		     const struct vfio_config_hooks *hooks, uint8_t *vcfg,
		     uint8_t *wmask, const uint64_t sizes[VFIO_NR_BARS],
		     unsigned int max_msix_vectors, char *err, size_t errlen);

/* Guest accesses: any offset below 4096, size 1..4, any alignment (an
 * access past 4096 is cut there). Reads of a failed transfer give all
 * ones; a failed write is dropped. */
void vfio_config_read(struct vfio_config *c, unsigned int off, uint8_t *data,
		      unsigned int size);
void vfio_config_write(struct vfio_config *c, unsigned int off,
		       const uint8_t *data, unsigned int size);

/* The MSI message as the guest programmed it. */
void vfio_config_msi(const struct vfio_config *c, struct vfio_msi_state *s);

/* COMMAND as the guest last wrote it (read from the emulation's view). */
uint16_t vfio_config_command(struct vfio_config *c);

/* The PM power state, 0 (D0) to 3 (D3hot); 0 without a PM capability. */
#define PCI_PM_D3HOT		3
unsigned int vfio_config_power_state(struct vfio_config *c);

#endif
