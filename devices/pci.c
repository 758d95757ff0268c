// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "devices/pci.h"
#include "vmm/bytes.h"
#include "vmm/layout.h"
#include "vmm/log.h"

#define CONFIG_ADDRESS_PORT	0xcf8
#define CONFIG_DATA_PORT	0xcfc
#define CONFIG_ENABLE		0x80000000u
/* Enable, bus, device, function and dword-aligned register bits. */
#define CONFIG_ADDRESS_MASK	0x80fffffcu

/* BAR low bits (PCI Local Bus 3.0 6.2.5.1). */
#define BAR_IO			0x1
#define BAR_MEM_TYPE_64		0x4
#define BAR_MEM_PREFETCH	0x8

/* A function's configuration space through ECAM (PCIe 6.0 7.2.2). */
#define ECAM_FUNCTION_SIZE	0x1000

/* Status bits that are "write 1 to clear": parity, target/master abort,
 * SERR, detected parity error (6.2.3). */
#define STATUS_W1C		0xf900

static unsigned int bar_offset(unsigned int i)
{
	return PCI_BASE_ADDRESS_0 + 4 * i;
}

void pci_device_init(struct pci_device *dev, const char *name,
		     uint16_t vendor, uint16_t device, uint32_t class_code,
		     uint16_t subsys_vendor, uint16_t subsys_id)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	dev->next_cap = 0x40;	/* the first byte after the type 0 header */
	pci_set_u16(dev->cfg, PCI_VENDOR_ID, vendor);
	pci_set_u16(dev->cfg, PCI_DEVICE_ID, device);
	dev->cfg[PCI_CLASS_PROG] = class_code;
	pci_set_u16(dev->cfg, PCI_CLASS_PROG + 1, class_code >> 8);
	pci_set_u16(dev->cfg, PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	pci_set_u16(dev->cfg, PCI_SUBSYSTEM_ID, subsys_id);
	pci_set_u16(dev->wmask, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		    PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	pci_set_u16(dev->w1cmask, PCI_STATUS, STATUS_W1C);
	dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[PCI_LATENCY_TIMER] = 0xff;
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static uint64_t round_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

void pci_device_add_bar(struct pci_device *dev, unsigned int index,
			enum pci_bar_kind kind, bool prefetchable, uint64_t size,
			const struct bus_ops *ops, void *opaque)
{
	uint64_t mask;
	uint32_t flags = 0;

	size = round_pow2(size < (kind == PCI_BAR_IO ? 4 : 16) ?
			  (kind == PCI_BAR_IO ? 4 : 16) : size);
	dev->bars[index] = (struct pci_bar){
		.kind = kind,
		.prefetchable = prefetchable,
		.size = size,
		.ops = ops,
		.opaque = opaque,
	};
	/* The guest sizes a BAR by writing all ones and reading back which
	 * address bits stuck: exactly those above the size. */
	mask = ~(size - 1);
	if (kind == PCI_BAR_IO)
		flags = BAR_IO;
	else if (kind == PCI_BAR_MEM64)
		flags = BAR_MEM_TYPE_64;
	if (prefetchable)
		flags |= BAR_MEM_PREFETCH;
	pci_set_u32(dev->cfg, bar_offset(index), flags);
	pci_set_u32(dev->wmask, bar_offset(index),
		    (uint32_t)mask & (kind == PCI_BAR_IO ? 0xfffffffcu : 0xfffffff0u));
	if (kind == PCI_BAR_MEM64)
		pci_set_u32(dev->wmask, bar_offset(index + 1), mask >> 32);
}

uint8_t pci_device_add_capability(struct pci_device *dev, uint8_t id,
				  uint8_t len)
{
	uint8_t off = dev->next_cap;
	uint8_t *link = &dev->cfg[PCI_CAPABILITY_LIST];

	if (len < 2 || off + len > PCI_CFG_SIZE)
		return 0;
	while (*link)
		link = &dev->cfg[*link + 1];
	*link = off;
	dev->cfg[off] = id;
	dev->cfg[off + 1] = 0;
	dev->next_cap = (off + len + 3) & ~3;
	pci_set_u16(dev->cfg, PCI_STATUS,
		    pci_get_u16(dev->cfg, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	return off;
}

bool pci_bar_address(const struct pci_device *dev, unsigned int i,
		     uint64_t *addr)
{
	const struct pci_bar *bar = &dev->bars[i];
	uint64_t a = pci_get_u32(dev->cfg, bar_offset(i));
	uint64_t limit;

	switch (bar->kind) {
	case PCI_BAR_IO:
		a &= ~3ull;
		limit = 0x10000;
		break;
	case PCI_BAR_MEM32:
		a &= ~0xfull;
		limit = LAYOUT_4G;
		break;
	case PCI_BAR_MEM64:
		a = (a & ~0xfull) | (uint64_t)pci_get_u32(dev->cfg, bar_offset(i + 1)) << 32;
		limit = 0;	/* the whole 64-bit space */
		break;
	default:
		return false;
	}
	*addr = a;
	if (!a || a + bar->size - 1 < a)
		return false;
	return !limit || a + bar->size <= limit;
}

/*
 * Bring the buses in line with COMMAND and the BARs: a BAR is on its bus
 * exactly while its decode is enabled and it holds a usable address. A
 * place already taken (a guest may stack BARs on each other) leaves the
 * BAR off the bus; accesses there keep reaching the first owner, until it
 * leaves (update_all_mappings()).
 */
static void update_mappings(struct pci_device *dev)
{
	uint16_t cmd = pci_get_u16(dev->cfg, PCI_COMMAND);

	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *bar = &dev->bars[i];
		struct bus *bus = bar->kind == PCI_BAR_IO ? dev->host->pio : dev->host->mmio;
		uint16_t enable = bar->kind == PCI_BAR_IO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
		uint64_t addr = 0;
		bool want;

		if (bar->kind == PCI_BAR_NONE)
			continue;
		want = (cmd & enable) && pci_bar_address(dev, i, &addr);
		if (bar->mapped && (!want || addr != bar->mapped_at)) {
			bus_remove(bus, bar->mapped_at, bar->opaque);
			bar->mapped = false;
			if (dev->bar_moved)
				dev->bar_moved(dev, i, false, bar->mapped_at);
		}
		if (want && !bar->mapped &&
		    !bus_add(bus, addr, bar->size, dev->name, bar->ops, bar->opaque)) {
			bar->mapped = true;
			bar->mapped_at = addr;
			if (dev->bar_moved)
				dev->bar_moved(dev, i, true, addr);
		}
	}
}

/*
 * After a config write that may have taken BARs off their places (those
 * of dev, or of a device that places its own BARs: dev NULL), the BARs of
 * emulated devices that were left off a bus because their place was taken
 * get it if it is free now: on real hardware they decode there as soon
 * as the overlap is gone (PCI Local Bus 3.0 6.2.5.1). dev goes first, so
 * that the places it left are free for the others, and again with them
 * for its own stacked BARs. Called with the host's lock held.
 */
static void update_all_mappings(struct pci_host *host, struct pci_device *dev)
{
	if (dev)
		update_mappings(dev);
	for (unsigned int s = 0; s < PCI_SLOTS; s++) {
		struct pci_device *d = host->devices[s];

		if (d && !d->config_ops)
			update_mappings(d);
	}
}

/* Called with the host's lock held. */
static void drive_intx(struct pci_device *dev)
{
	struct pci_host *host = dev->host;
	uint16_t status = pci_get_u16(dev->cfg, PCI_STATUS);
	bool out = dev->intx_level &&
		   !(pci_get_u16(dev->cfg, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);

	pci_set_u16(dev->cfg, PCI_STATUS, dev->intx_level ?
		    status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
	if (out == dev->intx_out || !dev->cfg[PCI_INTERRUPT_PIN])
		return;
	dev->intx_out = out;
	if (host->set_intx)
		host->set_intx(host->intx_opaque, dev->slot,
			       dev->cfg[PCI_INTERRUPT_PIN] - 1, out);
}

void pci_device_set_intx(struct pci_device *dev, bool level)
{
	pthread_mutex_lock(&dev->host->lock);
	dev->intx_level = level;
	drive_intx(dev);
	pthread_mutex_unlock(&dev->host->lock);
}

static struct pci_device *lookup(struct pci_host *host, unsigned int slot,
				 unsigned int fn)
{
	/* Every device is single-function: functions 1-7 are absent. */
	return slot < PCI_SLOTS && fn == 0 ? host->devices[slot] : NULL;
}

/*
 * A device that serves its own config space takes 1..4 bytes at a time
 * below 4096 (struct pci_config_ops), but an ECAM access may be 8 bytes
 * wide. A root complex need not turn an access that crosses a DWORD
 * boundary into one configuration request (PCIe 6.0 7.2.2); ursa splits
 * it into pieces of at most 4 bytes, so that every byte the guest reads
 * is the device's (not what the exit's buffer held before) and every
 * byte it writes arrives. Bytes past the function's 4 KiB (an 8-byte
 * access at 0xffc) read 0, as extended space beyond a capability does,
 * and are not written. This is how many bytes go to the device.
 */
static unsigned int in_function(unsigned int offset, unsigned int size)
{
	if (offset >= ECAM_FUNCTION_SIZE)
		return 0;
	return size < ECAM_FUNCTION_SIZE - offset ? size : ECAM_FUNCTION_SIZE - offset;
}

/* The piece of an access of n bytes that starts at done. */
static unsigned int chunk(unsigned int n, unsigned int done)
{
	return n - done < 4 ? n - done : 4;
}

void pci_host_config_read(struct pci_host *host, unsigned int slot,
			  unsigned int fn, unsigned int offset, uint8_t *data,
			  unsigned int size)
{
	struct pci_device *dev;

	pthread_mutex_lock(&host->lock);
	dev = lookup(host, slot, fn);
	if (dev && dev->config_ops) {
		unsigned int n = in_function(offset, size);

		for (unsigned int done = 0; done < n; done += 4)
			dev->config_ops->read(dev, offset + done, data + done,
					      chunk(n, done));
		memset(data + n, 0, size - n);
		pthread_mutex_unlock(&host->lock);
		return;
	}
	for (unsigned int i = 0; i < size; i++) {
		unsigned int off = offset + i;

		/* Absent: a master abort, all ones. Beyond the 256 bytes a
		 * conventional device has: zero (PCIe 6.0 7.9.1, no
		 * extended capabilities). */
		data[i] = !dev ? 0xff : off < PCI_CFG_SIZE ? dev->cfg[off] : 0;
	}
	pthread_mutex_unlock(&host->lock);
}

void pci_host_config_write(struct pci_host *host, unsigned int slot,
			   unsigned int fn, unsigned int offset,
			   const uint8_t *data, unsigned int size)
{
	struct pci_device *dev;
	bool remap = false;

	pthread_mutex_lock(&host->lock);
	dev = lookup(host, slot, fn);
	if (dev && dev->config_ops) {
		unsigned int n = in_function(offset, size);

		for (unsigned int done = 0; done < n; done += 4)
			dev->config_ops->write(dev, offset + done, data + done,
					       chunk(n, done));
		update_all_mappings(host, NULL);
		goto out;
	}
	if (!dev || offset >= PCI_CFG_SIZE)
		goto out;
	if (size > PCI_CFG_SIZE - offset)
		size = PCI_CFG_SIZE - offset;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int off = offset + i;
		uint8_t v = (dev->cfg[off] & ~dev->wmask[off]) | (data[i] & dev->wmask[off]);

		dev->cfg[off] = v & ~(data[i] & dev->w1cmask[off]);
		remap |= (off >= PCI_COMMAND && off < PCI_COMMAND + 2) ||
			 (off >= PCI_BASE_ADDRESS_0 && off < bar_offset(PCI_NUM_BARS));
	}
	if (remap) {
		update_all_mappings(host, dev);
		drive_intx(dev);	/* COMMAND.INTX_DISABLE may have changed */
	}
	if (dev->config_written)
		dev->config_written(dev, offset, size);
out:
	pthread_mutex_unlock(&host->lock);
}

/* 0xCF8: the address register, dword accesses only (PCI Local Bus 3.0
 * 3.2.2.3.2); other sizes are not config cycles and read all ones. */
static void address_read(void *opaque, uint64_t offset, uint8_t *data,
			 unsigned int size)
{
	struct pci_host *host = opaque;

	if (offset || size != 4) {
		memset(data, 0xff, size);
		return;
	}
	pthread_mutex_lock(&host->lock);
	le_store(data, 4, host->config_address);
	pthread_mutex_unlock(&host->lock);
}

static void address_write(void *opaque, uint64_t offset, const uint8_t *data,
			  unsigned int size)
{
	struct pci_host *host = opaque;

	if (offset || size != 4)
		return;
	pthread_mutex_lock(&host->lock);
	host->config_address = le_load(data, 4) & CONFIG_ADDRESS_MASK;
	pthread_mutex_unlock(&host->lock);
}

/* 0xCFC-0xCFF: the dword CF8 selects, at byte offset (port & 3). Only
 * bus 0 exists; other buses, or CF8's enable bit clear, read all ones. */
static bool decode_cf8(struct pci_host *host, uint64_t port_offset,
		       unsigned int *slot, unsigned int *fn, unsigned int *reg)
{
	uint32_t a;

	pthread_mutex_lock(&host->lock);
	a = host->config_address;
	pthread_mutex_unlock(&host->lock);
	if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff))
		return false;
	*slot = (a >> 11) & 0x1f;
	*fn = (a >> 8) & 7;
	*reg = (a & 0xfc) + port_offset;
	return true;
}

static void data_read(void *opaque, uint64_t offset, uint8_t *data,
		      unsigned int size)
{
	unsigned int slot, fn, reg;

	if (decode_cf8(opaque, offset, &slot, &fn, &reg))
		pci_host_config_read(opaque, slot, fn, reg, data, size);
	else
		memset(data, 0xff, size);
}

static void data_write(void *opaque, uint64_t offset, const uint8_t *data,
		       unsigned int size)
{
	unsigned int slot, fn, reg;

	if (decode_cf8(opaque, offset, &slot, &fn, &reg))
		pci_host_config_write(opaque, slot, fn, reg, data, size);
}

/* ECAM: offset = bus << 20 | device << 15 | function << 12 | register. */
static void ecam_read(void *opaque, uint64_t offset, uint8_t *data,
		      unsigned int size)
{
	pci_host_config_read(opaque, (offset >> 15) & 0x1f, (offset >> 12) & 7,
			     offset & 0xfff, data, size);
}

static void ecam_write(void *opaque, uint64_t offset, const uint8_t *data,
		       unsigned int size)
{
	pci_host_config_write(opaque, (offset >> 15) & 0x1f, (offset >> 12) & 7,
			      offset & 0xfff, data, size);
}

static const struct bus_ops address_ops = { address_read, address_write };
static const struct bus_ops data_ops = { data_read, data_write };
static const struct bus_ops ecam_ops = { ecam_read, ecam_write };

int pci_host_init(struct pci_host *host, struct bus *pio, struct bus *mmio,
		  const struct layout *layout, pci_intx_fn set_intx,
		  void *intx_opaque, char *err, size_t errlen)
{
	*host = (struct pci_host){
		.set_intx = set_intx,
		.intx_opaque = intx_opaque,
		.pio = pio,
		.mmio = mmio,
		.mmio32_next = LAYOUT_PCI_MMIO32_BASE,
		.mmio32_end = LAYOUT_PCI_MMIO32_BASE + LAYOUT_PCI_MMIO32_SIZE,
		.mmio64_next = layout->pci_mmio64_base,
		.mmio64_end = layout->pci_mmio64_base + layout->pci_mmio64_size,
		.pio_next = LAYOUT_PCI_PIO_BASE,
		.pio_end = LAYOUT_PCI_PIO_BASE + LAYOUT_PCI_PIO_SIZE,
	};
	pthread_mutex_init(&host->lock, NULL);
	if (bus_add(pio, CONFIG_ADDRESS_PORT, 4, "pci-address", &address_ops, host) ||
	    bus_add(pio, CONFIG_DATA_PORT, 4, "pci-data", &data_ops, host) ||
	    bus_add(mmio, LAYOUT_ECAM_BASE, LAYOUT_ECAM_SIZE, "pci-ecam", &ecam_ops, host)) {
		set_error(err, errlen, "PCI host bridge: its ports or ECAM window are taken");
		return -1;
	}
	return 0;
}

void pci_host_destroy(struct pci_host *host)
{
	pthread_mutex_destroy(&host->lock);
}

static int place_bar(struct pci_host *host, struct pci_device *dev,
		     unsigned int i, char *err, size_t errlen)
{
	struct pci_bar *bar = &dev->bars[i];
	uint64_t *next = &host->mmio32_next, end = host->mmio32_end, addr;

	if (bar->kind == PCI_BAR_IO) {
		next = &host->pio_next;
		end = host->pio_end;
	} else if (bar->kind == PCI_BAR_MEM64 && host->mmio64_end > host->mmio64_next) {
		next = &host->mmio64_next;
		end = host->mmio64_end;
	}
	addr = (*next + bar->size - 1) & ~(bar->size - 1);
	if (addr < *next || addr + bar->size > end) {
		set_error(err, errlen, "%s: no room for BAR %u (%" PRIu64 " bytes)",
			  dev->name, i, bar->size);
		return -1;
	}
	*next = addr + bar->size;
	pci_set_u32(dev->cfg, bar_offset(i),
		    (pci_get_u32(dev->cfg, bar_offset(i)) & ~dev->wmask[bar_offset(i)]) |
		    (uint32_t)addr);
	if (bar->kind == PCI_BAR_MEM64)
		pci_set_u32(dev->cfg, bar_offset(i + 1), addr >> 32);
	return 0;
}

int pci_host_add_device(struct pci_host *host, struct pci_device *dev,
			unsigned int slot, char *err, size_t errlen)
{
	pthread_mutex_lock(&host->lock);
	if (!slot) {
		for (slot = 1; slot < PCI_SLOTS && host->devices[slot]; slot++)
			;
		if (slot == PCI_SLOTS) {
			pthread_mutex_unlock(&host->lock);
			set_error(err, errlen, "%s: all %u PCI slots are taken", dev->name,
				  PCI_SLOTS - 1);
			return -1;
		}
	} else if (slot >= PCI_SLOTS || host->devices[slot]) {
		pthread_mutex_unlock(&host->lock);
		set_error(err, errlen, "%s: PCI slot %u is %s", dev->name, slot,
			  slot >= PCI_SLOTS ? "out of range" : "taken");
		return -1;
	}
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		if (dev->bars[i].kind != PCI_BAR_NONE &&
		    place_bar(host, dev, i, err, errlen)) {
			pthread_mutex_unlock(&host->lock);
			return -1;
		}
	}
	dev->slot = slot;
	dev->host = host;
	host->devices[slot] = dev;
	pthread_mutex_unlock(&host->lock);
	return 0;
}

void pci_host_remove_device(struct pci_host *host, struct pci_device *dev)
{
	pthread_mutex_lock(&host->lock);
	if (dev->host == host && host->devices[dev->slot] == dev)
		host->devices[dev->slot] = NULL;
	pthread_mutex_unlock(&host->lock);
}
