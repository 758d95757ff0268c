/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI: bus 0 of one host bridge, reached through configuration mechanism
 * #1 (ports 0xCF8/0xCFC) and ECAM (PCIe 6.0 7.2.2), and the configuration
 * space of the devices on it (PCI Local Bus 3.0 chapter 6): a type 0
 * header whose writable bits are given by a mask, RW1C status bits, BARs
 * sized and placed by the guest, and a capability list.
 *
 * A device's memory and I/O BARs appear on ursa's MMIO and port buses while
 * the COMMAND register enables them, at the address the guest programmed.
 */
#ifndef URSA_DEVICES_PCI_H
#define URSA_DEVICES_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"

struct layout;

#define PCI_SLOTS		32
#define PCI_CFG_SIZE		256	/* conventional space; ECAM's rest reads 0 */
#define PCI_NUM_BARS		6

/* Type 0 header offsets and bits (PCI Local Bus 3.0 6.1, 6.2). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define  PCI_COMMAND_IO		0x0001
#define  PCI_COMMAND_MEMORY	0x0002
#define  PCI_COMMAND_MASTER	0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		0x06
#define  PCI_STATUS_INTERRUPT	0x0008
#define  PCI_STATUS_CAP_LIST	0x0010
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_HEADER_TYPE		0x0e
#define PCI_BASE_ADDRESS_0	0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	uint64_t size;			/* a power of two */
	const struct bus_ops *ops;	/* accesses inside the BAR */
	void *opaque;
	bool mapped;			/* on a bus, at mapped_at */
	uint64_t mapped_at;
};

struct pci_host;
struct pci_device;

/*
 * A device that serves its own config space (an assigned device): every
 * access to it goes here instead of to the cfg/wmask model, with the
 * host's lock held, as offset below 4096 and size 1..4 (a wider ECAM
 * access comes in pieces). The device then also puts its BARs on the
 * buses itself; the host only places them at start.
 */
struct pci_config_ops {
	void (*read)(struct pci_device *dev, unsigned int offset, uint8_t *data,
		     unsigned int size);
	void (*write)(struct pci_device *dev, unsigned int offset,
		      const uint8_t *data, unsigned int size);
};

struct pci_device {
	const char *name;
	unsigned int slot;
	struct pci_host *host;
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];	/* bits the guest may change */
	uint8_t w1cmask[PCI_CFG_SIZE];	/* bits a guest 1 clears */
	struct pci_bar bars[PCI_NUM_BARS];
	uint8_t next_cap;		/* where the next capability goes */
	bool intx_level;		/* the device's INTx state */
	bool intx_out;			/* what the line was last driven to */
	const struct pci_config_ops *config_ops;	/* NULL: the model above */
	/* After the guest wrote [offset, offset + size) of config space;
	 * called with the host's lock held. May be NULL. */
	void (*config_written)(struct pci_device *dev, unsigned int offset,
			       unsigned int size);
	/* After BAR bar went on (mapped, at addr) or off its bus; called
	 * with the host's lock held. May be NULL. */
	void (*bar_moved)(struct pci_device *dev, unsigned int bar, bool mapped,
			  uint64_t addr);
};

/* Drives the interrupt input that INTx pin (0 = INTA) of slot is wired to. */
typedef void (*pci_intx_fn)(void *opaque, unsigned int slot, unsigned int pin,
			    bool level);

struct pci_host {
	pthread_mutex_t lock;		/* config space of every device */
	pci_intx_fn set_intx;		/* NULL: INTx goes nowhere */
	void *intx_opaque;
	uint32_t config_address;	/* the 0xCF8 register */
	struct pci_device *devices[PCI_SLOTS];
	struct bus *pio;
	struct bus *mmio;
	/* Where ursa places BARs before the guest moves them, as firmware would. */
	uint64_t mmio32_next, mmio32_end;
	uint64_t mmio64_next, mmio64_end;
	uint64_t pio_next, pio_end;
};

/* Registers 0xCF8-0xCFF and the ECAM window. 0, or -1 with err. */
int pci_host_init(struct pci_host *host, struct bus *pio, struct bus *mmio,
		  const struct layout *layout, pci_intx_fn set_intx,
		  void *intx_opaque, char *err, size_t errlen);
void pci_host_destroy(struct pci_host *host);

/* A type 0 header with these identities; no BARs or capabilities yet. */
void pci_device_init(struct pci_device *dev, const char *name,
		     uint16_t vendor, uint16_t device, uint32_t class_code,
		     uint16_t subsys_vendor, uint16_t subsys_id);

/* Declare BAR index (a 64-bit BAR also takes index + 1). size is rounded up
 * to a power of two (at least 16 bytes for memory, 4 for I/O). */
void pci_device_add_bar(struct pci_device *dev, unsigned int index,
			enum pci_bar_kind kind, bool prefetchable, uint64_t size,
			const struct bus_ops *ops, void *opaque);

/* Append a capability of len bytes with this id to the list; returns its
 * offset, or 0 when config space is full. The caller fills its body. */
uint8_t pci_device_add_capability(struct pci_device *dev, uint8_t id,
				  uint8_t len);

/* The address BAR index decodes, from cfg: false if it cannot decode any
 * (0, or a range that would wrap or leave its address space). */
bool pci_bar_address(const struct pci_device *dev, unsigned int index,
		     uint64_t *addr);

/* Put dev in slot (1..PCI_SLOTS - 1; 0: the first free one from 1) and
 * give its BARs addresses (disabled until the guest sets COMMAND). 0, or
 * -1 with err. */
int pci_host_add_device(struct pci_host *host, struct pci_device *dev,
			unsigned int slot, char *err, size_t errlen);

/* Take dev off the bus again (its BARs must be off the buses). */
void pci_host_remove_device(struct pci_host *host, struct pci_device *dev);

/* Config space as the guest sees it, for tests and the transports:
 * any size 1..8 (ECAM's are up to 8) at any offset below 4096; absent
 * devices read all ones. */
void pci_host_config_read(struct pci_host *host, unsigned int slot,
			  unsigned int fn, unsigned int offset, uint8_t *data,
			  unsigned int size);
void pci_host_config_write(struct pci_host *host, unsigned int slot,
			   unsigned int fn, unsigned int offset,
			   const uint8_t *data, unsigned int size);

/*
 * Assert or deassert the device's INTx pin (PCI_INTERRUPT_PIN, set by the
 * device). STATUS.INTERRUPT follows the device's state; the line itself
 * stays low while COMMAND.INTX_DISABLE is set (PCI Local Bus 3.0 6.2.2).
 */
void pci_device_set_intx(struct pci_device *dev, bool level);

/* Little-endian helpers for a device's own config image. */
static inline void pci_set_u16(uint8_t *cfg, unsigned int off, uint16_t v)
{
	cfg[off] = v;
	cfg[off + 1] = v >> 8;
}

static inline void pci_set_u32(uint8_t *cfg, unsigned int off, uint32_t v)
{
	pci_set_u16(cfg, off, v);
	pci_set_u16(cfg, off + 2, v >> 16);
}

static inline uint16_t pci_get_u16(const uint8_t *cfg, unsigned int off)
{
	return cfg[off] | cfg[off + 1] << 8;
}

static inline uint32_t pci_get_u32(const uint8_t *cfg, unsigned int off)
{
	return pci_get_u16(cfg, off) | (uint32_t)pci_get_u16(cfg, off + 2) << 16;
}

#endif
