// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI config space of emulated devices (devices/pci.c), as a guest reaches
 * it: configuration mechanism #1 (0xCF8/0xCFC) and ECAM, of every size,
 * and the BARs it places. On the bus:
 * - slot 1: a virtio-pci function (devices/virtio/pci.c, ursa's emulated
 *   device: common configuration, ISR, device configuration, doorbells
 *   and its MSI-X table and PBA in a 32 KiB BAR), over 64 KiB of guest RAM
 *   for its queues;
 * - slot 2: a function with every kind of BAR (I/O, 32-bit, 64-bit
 *   prefetchable) and a capability list;
 * - slot 3: an assigned device's config space (vfio/config.c) over a fake
 *   region, the path of a device that serves its own config space.
 *
 * Input: operations, each an opcode byte and its operands (CF8 and CFC
 * accesses, ECAM reads and writes, MMIO and port accesses inside and
 * around the BARs where they are mapped, the devices' INTx).
 *
 * Checked after every operation:
 * - a read fills exactly its size in bytes, the same ones whatever the
 *   buffer held before (config reads have no side effects, so each is
 *   done twice, over different fillings): nothing stale leaks to the guest;
 * - absent functions read all ones, the extended space of emulated
 *   functions zero, and what they read is their config image;
 * - read-only bits of the emulated functions never change, RW1C status
 *   bits aside;
 * - a BAR is on its bus exactly while its decode is enabled and its
 *   address is usable, at that address, unless the range is taken (then
 *   another range overlaps it);
 * - the INTx line of each emulated function is its level unless
 *   COMMAND.INTX_DISABLE;
 * - the virtio transport's registers stay sane: queue sizes within the
 *   maximum, vectors the device has or NO_VECTOR, FEATURES_OK only over
 *   features offered including VERSION_1, an enabled queue usable.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_pci.h>

#include "fuzz.h"
#include "devices/pci.h"
#include "devices/virtio/pci.h"
#include "vfio/config.h"
#include "vmm/bytes.h"
#include "vmm/irq.h"
#include "vmm/layout.h"
#include "vmm/loop.h"
#include "vmm/memory.h"

#define ERR_LEN		256
#define NR_QUEUES	2
#define VIRTIO_SLOT	1
#define PLAIN_SLOT	2
#define VFIO_SLOT	3
#define DEVCFG_SIZE	24

static struct layout layout;
static struct guest_memory mem;
static struct irq_router router;
static struct loop loop;

static struct bus pio, mmio;
static struct pci_host host;
static struct virtio_pci vp;
static struct pci_device plain, assigned;
static struct vfio_config vc;
static uint8_t fake_cfg[PCI_CFG_SIZE];

/* Snapshots after set-up: what read-only bits must stay. */
static uint8_t virtio_cfg0[PCI_CFG_SIZE], plain_cfg0[PCI_CFG_SIZE];
static bool intx_line[PCI_SLOTS];

/* ---- the devices' own parts ------------------------------------------------ */

static const uint8_t devcfg[DEVCFG_SIZE] = { 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x7e };

static void devcfg_read(void *dev, uint64_t offset, uint8_t *data, unsigned int size)
{
	(void)dev;
	for (unsigned int i = 0; i < size; i++)
		data[i] = offset + i < DEVCFG_SIZE ? devcfg[offset + i] : 0;
}

static void devcfg_write(void *dev, uint64_t offset, const uint8_t *data,
			 unsigned int size)
{
	(void)dev;
	(void)offset;
	(void)data;
	(void)size;
}

static void queue_notify(void *dev, unsigned int q)
{
	(void)dev;
	FUZZ_CHECK(q < NR_QUEUES);
}

static void reset(void *dev)
{
	(void)dev;
}

static const struct virtio_device_ops virtio_ops = {
	devcfg_read, devcfg_write, queue_notify, reset,
};

/* The plain function's BARs answer with their offset. */
static void plain_bar_read(void *opaque, uint64_t offset, uint8_t *data,
			   unsigned int size)
{
	(void)opaque;
	le_store(data, size, offset);
}

static void plain_bar_write(void *opaque, uint64_t offset, const uint8_t *data,
			    unsigned int size)
{
	(void)opaque;
	(void)offset;
	(void)data;
	(void)size;
}

static const struct bus_ops plain_bar_ops = { plain_bar_read, plain_bar_write };

/* The assigned function: vfio/config.c over a register file. */
static bool fake_read(void *opaque, unsigned int off, void *buf, unsigned int len)
{
	(void)opaque;
	FUZZ_CHECK(len >= 1 && len <= 4 && off < PCI_CFG_SIZE &&
		   len <= PCI_CFG_SIZE - off);
	memcpy(buf, &fake_cfg[off], len);
	return true;
}

static bool fake_write(void *opaque, unsigned int off, const void *buf,
		       unsigned int len)
{
	(void)opaque;
	FUZZ_CHECK(len >= 1 && len <= 4 && off < PCI_CFG_SIZE &&
		   len <= PCI_CFG_SIZE - off);
	/* The identity and header stay the device's. */
	if (off >= PCI_COMMAND && off + len <= PCI_REVISION_ID)
		memcpy(&fake_cfg[off], buf, len);
	return true;
}

static void assigned_read(struct pci_device *dev, unsigned int off,
			  uint8_t *data, unsigned int size)
{
	FUZZ_CHECK(dev == &assigned);
	vfio_config_read(&vc, off, data, size);
}

static void assigned_write(struct pci_device *dev, unsigned int off,
			   const uint8_t *data, unsigned int size)
{
	FUZZ_CHECK(dev == &assigned);
	vfio_config_write(&vc, off, data, size);
}

static const struct pci_config_ops assigned_ops = { assigned_read, assigned_write };

static void no_command(void *o, uint16_t old, uint16_t new, bool before)
{
	(void)o;
	(void)old;
	(void)new;
	(void)before;
}

static void no_power(void *o, unsigned int old, unsigned int new, bool before)
{
	(void)o;
	(void)old;
	(void)new;
	(void)before;
}

static void no_flr(void *o, bool before)
{
	(void)o;
	(void)before;
}

static void no_bar(void *o, unsigned int bar)
{
	(void)o;
	(void)bar;
}

static void no_msi(void *o)
{
	(void)o;
}

static void no_msix(void *o, uint16_t ctrl)
{
	(void)o;
	(void)ctrl;
}

static uint32_t no_pending(void *o)
{
	(void)o;
	return 1;
}

static const struct vfio_config_io fake_io = { fake_read, fake_write, NULL };
static const struct vfio_config_hooks no_hooks = {
	no_command, no_power, no_flr, no_bar, no_msi, no_msix, no_pending, NULL,
};

/* An Intel NIC-like function: BAR 0 memory, BAR 2 I/O, MSI and PCIe. */
static void fake_device(void)
{
	memset(fake_cfg, 0, sizeof(fake_cfg));
	pci_set_u32(fake_cfg, PCI_VENDOR_ID, 0x10d38086);
	pci_set_u16(fake_cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
	pci_set_u32(fake_cfg, PCI_REVISION_ID, 0x02000000);
	pci_set_u32(fake_cfg, 0x10, 0xfeb00000);
	pci_set_u32(fake_cfg, 0x18, 0x0000e001);
	fake_cfg[PCI_CAPABILITY_LIST] = 0x50;
	fake_cfg[PCI_INTERRUPT_PIN] = 1;
	fake_cfg[0x50] = PCI_CAP_ID_MSI;
	fake_cfg[0x51] = 0x70;
	pci_set_u16(fake_cfg, 0x52, 0x0180);
	fake_cfg[0x70] = PCI_CAP_ID_EXP;
	pci_set_u16(fake_cfg, 0x72, 0x0002);
}

/* ---- set-up ------------------------------------------------------------------ */

static void set_intx(void *opaque, unsigned int slot, unsigned int pin, bool level)
{
	(void)opaque;
	FUZZ_CHECK(slot < PCI_SLOTS && pin == 0);
	intx_line[slot] = level;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct layout ram = {
		.ram = { { 0, 64 << 10 } },
		.nr_ram = 1,
		.ram_below_4g = 64 << 10,
		.gpa_limit = 1ull << 40,
	};
	char err[ERR_LEN];

	(void)argc;
	(void)argv;
	FUZZ_CHECK(!layout_compute(1ull << 30, 40, &layout, err, sizeof(err)));
	FUZZ_CHECK(!memory_create(&mem, &ram, err, sizeof(err)));
	FUZZ_CHECK(!irq_router_init(&router, -1, false));
	FUZZ_CHECK(!loop_init(&loop));
	return 0;
}

static void setup(void)
{
	static const struct virtio_pci_params params = {
		.name = "fuzz-virtio",
		.virtio_id = 2,
		.class_code = 0x018000,
		.nr_queues = NR_QUEUES,
		.queue_max_size = 256,
		.features = 1ull << VIRTIO_RING_F_INDIRECT_DESC |
			    1ull << VIRTIO_RING_F_EVENT_IDX,
		.config_size = DEVCFG_SIZE,
		.ops = &virtio_ops,
	};
	uint64_t sizes[VFIO_NR_BARS] = { 0x1000, 0, 0x20 };
	char err[ERR_LEN];

	FUZZ_CHECK(!bus_init(&pio, "pio") && !bus_init(&mmio, "mmio"));
	FUZZ_CHECK(!pci_host_init(&host, &pio, &mmio, &layout, set_intx, NULL,
				  err, sizeof(err)));
	memset(intx_line, 0, sizeof(intx_line));

	/* The readers virtio_pci_init() adds are never run: a fresh loop
	 * when they would not fit. */
	if (loop.nr_readers + NR_QUEUES > LOOP_MAX_READERS) {
		loop_destroy(&loop);
		FUZZ_CHECK(!loop_init(&loop));
	}
	FUZZ_CHECK(!virtio_pci_init(&vp, &params, &mem, &loop, &router, -1,
				    err, sizeof(err)));
	FUZZ_CHECK(!pci_host_add_device(&host, &vp.pci, VIRTIO_SLOT, err, sizeof(err)));

	pci_device_init(&plain, "fuzz-plain", 0x1b36, 0x0005, 0x00ff00, 0x1af4, 1);
	pci_device_add_bar(&plain, 0, PCI_BAR_IO, false, 32, &plain_bar_ops, NULL);
	pci_device_add_bar(&plain, 1, PCI_BAR_MEM32, false, 3000, &plain_bar_ops, NULL);
	pci_device_add_bar(&plain, 2, PCI_BAR_MEM64, true, 0x10000, &plain_bar_ops, NULL);
	pci_device_add_capability(&plain, 0x09, 8);
	pci_device_add_capability(&plain, 0x0d, 12);
	plain.cfg[PCI_INTERRUPT_PIN] = 1;
	FUZZ_CHECK(!pci_host_add_device(&host, &plain, PLAIN_SLOT, err, sizeof(err)));

	memset(&assigned, 0, sizeof(assigned));
	assigned.name = "fuzz-assigned";
	assigned.config_ops = &assigned_ops;
	fake_device();
	FUZZ_CHECK(!vfio_config_init(&vc, &fake_io, &no_hooks, assigned.cfg,
				     assigned.wmask, sizes, MSIX_MAX_VECTORS, err,
				     sizeof(err)));
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		assigned.bars[i] = vc.bars[i];
	FUZZ_CHECK(!pci_host_add_device(&host, &assigned, VFIO_SLOT, err, sizeof(err)));

	memcpy(virtio_cfg0, vp.pci.cfg, PCI_CFG_SIZE);
	memcpy(plain_cfg0, plain.cfg, PCI_CFG_SIZE);
}

static void teardown(void)
{
	virtio_pci_destroy(&vp);
	pci_host_destroy(&host);
	bus_destroy(&pio);
	bus_destroy(&mmio);
}

/* ---- checks -------------------------------------------------------------------- */

static struct pci_device *emulated(unsigned int slot)
{
	return slot == VIRTIO_SLOT ? &vp.pci : slot == PLAIN_SLOT ? &plain : NULL;
}

/*
 * A read through the bus: exactly size bytes filled, the same ones over
 * two different fillings. Returns whether a device took it.
 */
static bool bus_read(struct bus *bus, uint64_t addr, uint8_t *d, unsigned int size,
		     bool side_effects)
{
	uint8_t again[16];
	bool taken;

	memset(d, 0x00, 16);
	taken = bus_access(bus, addr, d, size, false);
	for (unsigned int i = size; i < 16; i++)
		FUZZ_CHECK(d[i] == 0x00);
	if (side_effects)
		return taken;
	memset(again, 0xff, sizeof(again));
	FUZZ_CHECK(bus_access(bus, addr, again, size, false) == taken);
	for (unsigned int i = size; i < 16; i++)
		FUZZ_CHECK(again[i] == 0xff);
	FUZZ_CHECK(!memcmp(d, again, size));
	return taken;
}

/* Config bytes [reg, reg + size) of slot/fn as they read. */
static void check_config_bytes(unsigned int slot, unsigned int fn, unsigned int reg,
			       const uint8_t *d, unsigned int size)
{
	struct pci_device *dev = emulated(slot);

	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = reg + i;

		if (fn || !host.devices[slot])
			FUZZ_CHECK(d[i] == 0xff);
		else if (dev)
			FUZZ_CHECK(d[i] == (o < PCI_CFG_SIZE ? dev->cfg[o] : 0));
	}
}

static void check_bars(struct pci_device *dev)
{
	uint16_t cmd = pci_get_u16(dev->cfg, PCI_COMMAND);

	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *bar = &dev->bars[i];
		struct bus *bus = bar->kind == PCI_BAR_IO ? &pio : &mmio;
		uint16_t enable = bar->kind == PCI_BAR_IO ? PCI_COMMAND_IO :
				  PCI_COMMAND_MEMORY;
		uint64_t addr = 0;
		bool want, found = false;

		if (bar->kind == PCI_BAR_NONE)
			continue;
		want = (cmd & enable) && pci_bar_address(dev, i, &addr);
		for (size_t r = 0; r < bus->nr; r++) {
			const struct bus_range *br = &bus->ranges[r];

			if (bar->mapped && br->base == bar->mapped_at && br->dev == bar->opaque)
				found = br->len == bar->size;
			if (want && !bar->mapped)
				found |= br->base <= addr + bar->size - 1 &&
					 addr <= br->base + br->len - 1;
		}
		if (bar->mapped)
			FUZZ_CHECK(want && bar->mapped_at == addr && found);
		else if (want)
			FUZZ_CHECK(found);	/* the place is taken */
	}
}

static void check_device(struct pci_device *dev, const uint8_t *cfg0)
{
	uint16_t cmd = pci_get_u16(dev->cfg, PCI_COMMAND);

	for (unsigned int o = 0; o < PCI_CFG_SIZE; o++) {
		uint8_t fixed = ~(dev->wmask[o] | dev->w1cmask[o]);

		if (o == PCI_STATUS)
			fixed &= ~PCI_STATUS_INTERRUPT;
		FUZZ_CHECK(!((dev->cfg[o] ^ cfg0[o]) & fixed));
	}
	check_bars(dev);
	FUZZ_CHECK(intx_line[dev->slot] ==
		   (dev->intx_level && !(cmd & PCI_COMMAND_INTX_DISABLE)));
	FUZZ_CHECK(!!(dev->cfg[PCI_STATUS] & PCI_STATUS_INTERRUPT) == dev->intx_level);
}

static void check_virtio(void)
{
	unsigned int nv = vp.msix.nr_vectors;

	FUZZ_CHECK(vp.config_vector < nv || vp.config_vector == VIRTIO_MSI_NO_VECTOR);
	for (unsigned int q = 0; q < NR_QUEUES; q++) {
		const struct virtio_pci_queue *vq = &vp.queues[q];

		FUZZ_CHECK(vq->size <= vq->max_size);
		FUZZ_CHECK(vq->msix_vector < nv || vq->msix_vector == VIRTIO_MSI_NO_VECTOR);
		FUZZ_CHECK(vq->enabled == vq->vq.enabled);
	}
	if (vp.status & VIRTIO_CONFIG_S_FEATURES_OK)
		FUZZ_CHECK(!(vp.driver_features & ~vp.device_features) &&
			   (vp.driver_features & 1ull << VIRTIO_F_VERSION_1));
}

/* ---- operations ------------------------------------------------------------------ */

/* A config address: mostly enabled, bus 0, a slot near ours. */
static uint32_t pick_cf8(struct fuzz_input *in)
{
	uint8_t b = fz_u8(in);

	if (b >= 0xf0)
		return fz_u32(in);
	return 0x80000000u | (b & 3) << 11 | (b & 0x04 ? 1u : 0) << 8 | (fz_u8(in) & 0xfc);
}

static void cf8_op(struct fuzz_input *in, uint8_t op)
{
	uint8_t d[16];
	uint32_t a = host.config_address;
	unsigned int port = fz_u8(in) % 4, size = 1u << (fz_u8(in) % 3);

	if (!(op & 0x10)) {
		le_store(d, 4, pick_cf8(in));
		bus_access(&pio, 0xcf8 + port, d, size, true);
		return;
	}
	/* The data port: the dword CF8 selects. */
	if (op & 0x20) {
		le_store(d, 4, fz_u32(in));
		bus_access(&pio, 0xcfc + port, d, size, true);
		return;
	}
	if (bus_read(&pio, 0xcfc + port, d, size, false) &&
	    (a & 0x80000000u) && !((a >> 16) & 0xff))
		check_config_bytes((a >> 11) & 0x1f, (a >> 8) & 7, (a & 0xfc) + port,
				   d, size);
}

static void ecam_op(struct fuzz_input *in, uint8_t op)
{
	unsigned int slot = fz_u8(in) % 5, fn = op & 0x40 ? 1 : 0;
	unsigned int reg = fz_u16(in) & 0xfff, size = fz_access_size(in);
	uint64_t addr = LAYOUT_ECAM_BASE + (slot << 15 | fn << 12 | reg);
	uint8_t d[16];

	if (op & 0x20) {
		le_store(d, 8, fz_u64(in));
		bus_access(&mmio, addr, d, size, true);
	} else if (bus_read(&mmio, addr, d, size, false)) {
		check_config_bytes(slot, fn, reg, d, size);
	}
}

/* An access in or around a BAR of an emulated function. */
static void bar_op(struct fuzz_input *in, uint8_t op)
{
	struct pci_device *dev = op & 0x10 ? &plain : &vp.pci;
	const struct pci_bar *bar = &dev->bars[fz_u8(in) % PCI_NUM_BARS];
	struct bus *bus = bar->kind == PCI_BAR_IO ? &pio : &mmio;
	uint64_t base = bar->mapped ? bar->mapped_at : fz_u32(in);
	uint64_t addr = base + fz_u16(in) % (bar->size + 16);
	unsigned int size = fz_access_size(in);
	uint8_t d[16];

	if (op & 0x20) {
		le_store(d, 8, fz_u64(in));
		bus_access(bus, addr, d, size, true);
	} else {
		/* The ISR and the device's PBA reads have side effects. */
		bus_read(bus, addr, d, size, true);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	setup();
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);

		switch (op % 5) {
		case 0:
			cf8_op(&in, op);
			break;
		case 1:
			ecam_op(&in, op);
			break;
		case 2:
		case 3:
			bar_op(&in, op);
			break;
		default:
			if (op & 0x10) {
				pci_device_set_intx(&plain, op & 0x20);
			} else {
				pthread_mutex_lock(&vp.lock);
				virtio_pci_queue_interrupt(&vp, (op >> 5) % NR_QUEUES);
				pthread_mutex_unlock(&vp.lock);
			}
			break;
		}
		check_device(&vp.pci, virtio_cfg0);
		check_device(&plain, plain_cfg0);
		check_virtio();
	}
	teardown();
	return 0;
}
