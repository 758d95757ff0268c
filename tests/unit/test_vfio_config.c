// SPDX-License-Identifier: GPL-2.0-only
/* Config space of an assigned device against a fake config region: BAR and
 * ROM sizing, the filtered capability list, MSI and MSI-X control, COMMAND
 * ordering against the device, and what a hostile guest or device can do. */
#include "check.h"
#include "devices/msix.h"
#include "vfio/config.h"
#include "vmm/bytes.h"

/* The fake device: its config bytes, bits it ignores writes to, and
 * counters of what reached it. */
struct fake_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t ro[PCI_CFG_SIZE];
	bool fail_read, fail_write;
	unsigned int reads, writes, bad_io, command_writes;
};

/* Device writes and hooks, in the order they happened. */
enum ev_kind { EV_IO_WRITE, EV_COMMAND, EV_BAR, EV_MSI, EV_MSIX, EV_POWER, EV_FLR };

struct event {
	enum ev_kind kind;
	unsigned int off, len;		/* EV_IO_WRITE; EV_BAR: off is the index */
	uint8_t bytes[4];
	uint16_t old, new;		/* EV_COMMAND, EV_POWER; EV_MSIX: new is the control */
	bool before;
};

#define MAX_EVENTS	64

static struct fake_dev dev;
static struct event events[MAX_EVENTS];
static unsigned int nr_events, lost_events;
static uint32_t pending_value;
static unsigned int pending_calls;

static struct vfio_config vc;
static uint8_t vcfg[PCI_CFG_SIZE], wmask[PCI_CFG_SIZE];
static uint64_t sizes[VFIO_NR_BARS];
static char err[256];

static struct event *log_event(enum ev_kind kind)
{
	static struct event spare;

	if (nr_events == MAX_EVENTS) {
		lost_events++;
		return &spare;
	}
	events[nr_events] = (struct event){ .kind = kind };
	return &events[nr_events++];
}

static void log_clear(void)
{
	nr_events = 0;
	lost_events = 0;
}

static unsigned int count_events(enum ev_kind kind)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_events; i++)
		n += events[i].kind == kind;
	return n;
}

static bool ev_io(unsigned int i, unsigned int off, unsigned int len, uint32_t v)
{
	const struct event *e = &events[i];

	return i < nr_events && e->kind == EV_IO_WRITE && e->off == off &&
	       e->len == len && le_load(e->bytes, len) == v;
}

static bool ev_command(unsigned int i, uint16_t old, uint16_t new, bool before)
{
	const struct event *e = &events[i];

	return i < nr_events && e->kind == EV_COMMAND && e->old == old &&
	       e->new == new && e->before == before;
}

static bool ev_bar(unsigned int i, unsigned int bar)
{
	return i < nr_events && events[i].kind == EV_BAR && events[i].off == bar;
}

static bool ev_msix(unsigned int i, uint16_t ctrl)
{
	return i < nr_events && events[i].kind == EV_MSIX && events[i].new == ctrl;
}

static bool io_ok(unsigned int off, unsigned int len)
{
	if (len < 1 || len > 4 || off >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - off) {
		dev.bad_io++;
		return false;
	}
	return true;
}

static bool dev_read(void *opaque, unsigned int off, void *buf, unsigned int len)
{
	struct fake_dev *d = opaque;

	if (!io_ok(off, len))
		return false;
	d->reads++;
	if (d->fail_read)
		return false;
	memcpy(buf, &d->cfg[off], len);
	return true;
}

static bool dev_write(void *opaque, unsigned int off, const void *buf,
		      unsigned int len)
{
	struct fake_dev *d = opaque;
	const uint8_t *b = buf;
	struct event *e;

	if (!io_ok(off, len))
		return false;
	d->writes++;
	e = log_event(EV_IO_WRITE);
	e->off = off;
	e->len = len;
	memcpy(e->bytes, b, len);
	if (d->fail_write)
		return false;
	if (off < PCI_COMMAND + 2 && off + len > PCI_COMMAND)
		d->command_writes++;
	for (unsigned int i = 0; i < len; i++) {
		uint8_t ro = d->ro[off + i];

		d->cfg[off + i] = (d->cfg[off + i] & ro) | (b[i] & ~ro);
	}
	return true;
}

static void on_command(void *opaque, uint16_t old, uint16_t new, bool before)
{
	struct event *e = log_event(EV_COMMAND);

	(void)opaque;
	e->old = old;
	e->new = new;
	e->before = before;
}

static void on_power(void *opaque, unsigned int old, unsigned int new, bool before)
{
	struct event *e = log_event(EV_POWER);

	(void)opaque;
	e->old = old;
	e->new = new;
	e->before = before;
}

static void on_flr(void *opaque, bool before)
{
	(void)opaque;
	log_event(EV_FLR)->before = before;
}

static void on_bar_written(void *opaque, unsigned int bar)
{
	(void)opaque;
	log_event(EV_BAR)->off = bar;
}

static void on_msi_written(void *opaque)
{
	(void)opaque;
	log_event(EV_MSI);
}

static void on_msix_control(void *opaque, uint16_t ctrl)
{
	(void)opaque;
	log_event(EV_MSIX)->new = ctrl;
}

static uint32_t on_msi_pending(void *opaque)
{
	(void)opaque;
	pending_calls++;
	return pending_value;
}

static const struct vfio_config_io io = { dev_read, dev_write, &dev };
static const struct vfio_config_hooks hooks = {
	.command = on_command,
	.power = on_power,
	.flr = on_flr,
	.bar_written = on_bar_written,
	.msi_written = on_msi_written,
	.msix_control = on_msix_control,
	.msi_pending = on_msi_pending,
	.opaque = &dev,
};

/* A type 0 function that claims to be multi-function, with read-only IDs,
 * class and header type, and no BARs or capabilities yet. */
static void dev_reset(void)
{
	memset(&dev, 0, sizeof(dev));
	memset(sizes, 0, sizeof(sizes));
	pci_set_u32(dev.cfg, PCI_VENDOR_ID, 0x10d38086);
	pci_set_u32(dev.cfg, PCI_REVISION_ID, 0x02000003);
	dev.cfg[PCI_HEADER_TYPE] = 0x80;
	pci_set_u32(dev.cfg, PCI_SUBSYSTEM_VENDOR_ID, 0x00018086);
	dev.cfg[PCI_INTERRUPT_PIN] = 1;
	memset(&dev.ro[PCI_VENDOR_ID], 0xff, 4);
	memset(&dev.ro[PCI_REVISION_ID], 0xff, 4);
	dev.ro[PCI_HEADER_TYPE] = 0xff;
	dev.ro[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	log_clear();
}

static void add_cap(uint8_t off, uint8_t id, uint8_t next)
{
	if (!dev.cfg[PCI_CAPABILITY_LIST])
		dev.cfg[PCI_CAPABILITY_LIST] = off;
	dev.cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	dev.cfg[off] = id;
	dev.cfg[off + 1] = next;
}

static int cfg_init(unsigned int max_msix_vectors)
{
	int ret;

	memset(vcfg, 0, sizeof(vcfg));
	memset(wmask, 0, sizeof(wmask));
	err[0] = 0;
	ret = vfio_config_init(&vc, &io, &hooks, vcfg, wmask, sizes,
			       max_msix_vectors, err, sizeof(err));
	log_clear();
	return ret;
}

static uint32_t rd(unsigned int off, unsigned int size)
{
	uint8_t d[4] = { 0 };

	vfio_config_read(&vc, off, d, size);
	return le_load(d, size);
}

static void wr(unsigned int off, unsigned int size, uint32_t v)
{
	uint8_t d[4];

	le_store(d, size, v);
	vfio_config_write(&vc, off, d, size);
}

/* The capability IDs a guest finds walking from 0x34, up to max; the
 * walk's length, or max + 1 if it did not end. */
static unsigned int walk(uint8_t *ids, unsigned int max)
{
	unsigned int n = 0;
	uint8_t ptr = rd(PCI_CAPABILITY_LIST, 1);

	while (ptr) {
		if (n == max)
			return max + 1;
		ids[n++] = rd(ptr, 1);
		ptr = rd(ptr + 1, 1);
	}
	return n;
}

static bool walk_is(const uint8_t *want, unsigned int n)
{
	uint8_t ids[8];

	return walk(ids, 8) == n && !memcmp(ids, want, n);
}

/* BAR 0 32-bit memory, 1 I/O, 2-3 64-bit prefetchable, 4 absent (the
 * device has junk there), 5 32-bit prefetchable; a ROM. */
static void bars_dev(void)
{
	dev_reset();
	pci_set_u32(dev.cfg, 0x10, 0xfeb00000);
	pci_set_u32(dev.cfg, 0x14, 0x0000e001);
	pci_set_u32(dev.cfg, 0x18, 0xc000000c);
	pci_set_u32(dev.cfg, 0x1c, 0x00000038);
	pci_set_u32(dev.cfg, 0x20, 0xfebc0000);
	pci_set_u32(dev.cfg, 0x24, 0xfea00008);
	pci_set_u32(dev.cfg, PCI_ROM_ADDRESS, 0xfe000001);
	sizes[0] = 0x1000;
	sizes[1] = 0x20;
	sizes[2] = 0x100000;
	sizes[5] = 0x4000;
	sizes[VFIO_BAR_ROM] = 0x10000;
}

static void test_bars(void)
{
	bars_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(vc.bars[0].kind == PCI_BAR_MEM32 && !vc.bars[0].prefetchable);
	CHECK(vc.bars[1].kind == PCI_BAR_IO);
	CHECK(vc.bars[2].kind == PCI_BAR_MEM64 && vc.bars[2].prefetchable);
	CHECK_EQ_U64(vc.bars[2].size, 0x100000);
	CHECK(vc.bars[3].kind == PCI_BAR_NONE && vc.bars[4].kind == PCI_BAR_NONE);
	CHECK(vc.bars[5].kind == PCI_BAR_MEM32 && vc.bars[5].prefetchable);
	CHECK_EQ_U64(vc.rom_size, 0x10000);

	/* The host's addresses never show: only the type bits. */
	CHECK_EQ_U64(rd(0x10, 4), 0);
	CHECK_EQ_U64(rd(0x14, 4), 1);
	CHECK_EQ_U64(rd(0x18, 4), 0xc);
	CHECK_EQ_U64(rd(0x1c, 4), 0);
	CHECK_EQ_U64(rd(0x20, 4), 0);
	CHECK_EQ_U64(rd(0x24, 4), 0x8);
	CHECK_EQ_U64(rd(PCI_ROM_ADDRESS, 4), 0);

	/* Sizing. */
	for (unsigned int off = 0x10; off <= PCI_ROM_ADDRESS; off += 4)
		if (off < 0x28 || off == PCI_ROM_ADDRESS)
			wr(off, 4, 0xffffffff);
	CHECK_EQ_U64(rd(0x10, 4), 0xfffff000);
	CHECK_EQ_U64(rd(0x14, 4), 0xffffffe1);
	CHECK_EQ_U64(rd(0x18, 4), 0xfff0000c);
	CHECK_EQ_U64(rd(0x1c, 4), 0xffffffff);
	CHECK_EQ_U64(rd(0x20, 4), 0);
	CHECK_EQ_U64(rd(0x24, 4), 0xffffc008);
	CHECK_EQ_U64(rd(PCI_ROM_ADDRESS, 4), 0xffff0001);
	/* One hook per register written, the upper dword on the low index;
	 * the absent BAR 4 has none. Nothing reached the device. */
	CHECK_EQ_U64(nr_events, 6);
	CHECK(ev_bar(0, 0) && ev_bar(1, 1) && ev_bar(2, 2) && ev_bar(3, 2));
	CHECK(ev_bar(4, 5) && ev_bar(5, VFIO_BAR_ROM));
	CHECK_EQ_U64(count_events(EV_IO_WRITE), 0);
	CHECK_EQ_U64(dev.writes, 0);

	/* Relocation: addresses masked to the size, type bits kept. */
	log_clear();
	wr(0x10, 4, 0xd0000fff);
	wr(0x14, 4, 0x0000c11e);
	wr(0x18, 4, 0xe00ffff3);
	wr(0x1c, 4, 0x00000001);
	wr(0x24, 4, 0xd0003000);
	wr(PCI_ROM_ADDRESS, 4, 0xd00107ff);
	CHECK_EQ_U64(rd(0x10, 4), 0xd0000000);
	CHECK_EQ_U64(rd(0x14, 4), 0xc101);
	CHECK_EQ_U64(rd(0x18, 4), 0xe000000c);
	CHECK_EQ_U64(rd(0x1c, 4), 1);
	CHECK_EQ_U64(rd(0x24, 4), 0xd0000008);
	CHECK_EQ_U64(rd(PCI_ROM_ADDRESS, 4), 0xd0010001);
	CHECK(ev_bar(0, 0) && ev_bar(1, 1) && ev_bar(2, 2) && ev_bar(3, 2));
	CHECK(ev_bar(4, 5) && ev_bar(5, VFIO_BAR_ROM));
	CHECK_EQ_U64(nr_events, 6);
	/* ROM enable clears on its own. */
	wr(PCI_ROM_ADDRESS, 1, 0);
	CHECK_EQ_U64(rd(PCI_ROM_ADDRESS, 4), 0xd0010000);

	/* Byte writes; one straddling BARs 1 and 2 reports both, in order. */
	log_clear();
	wr(0x13, 1, 0xc0);
	CHECK_EQ_U64(rd(0x10, 4), 0xc0000000);
	CHECK(ev_bar(0, 0) && nr_events == 1);
	log_clear();
	wr(0x17, 2, 0x0000);
	CHECK_EQ_U64(rd(0x14, 4), 0xc101);
	CHECK_EQ_U64(rd(0x18, 4), 0xe000000c);
	CHECK(ev_bar(0, 1) && ev_bar(1, 2) && nr_events == 2);
	/* The absent BAR takes nothing and says nothing. */
	log_clear();
	wr(0x20, 4, 0x12345678);
	CHECK_EQ_U64(rd(0x20, 4), 0);
	CHECK_EQ_U64(nr_events, 0);
	CHECK_EQ_U64(dev.writes, 0);
	/* And the device's own registers were never touched. */
	CHECK_EQ_U64(pci_get_u32(dev.cfg, 0x10), 0xfeb00000);
	CHECK_EQ_U64(pci_get_u32(dev.cfg, 0x18), 0xc000000c);

	/* A 64-bit BAR above 4 GiB: the low dword has no address bits. */
	dev_reset();
	pci_set_u32(dev.cfg, 0x10, 0x0000000c);
	sizes[0] = 8ull << 30;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	wr(0x10, 4, 0xffffffff);
	wr(0x14, 4, 0xffffffff);
	CHECK_EQ_U64(rd(0x10, 4), 0xc);
	CHECK_EQ_U64(rd(0x14, 4), 0xfffffffe);
	CHECK(ev_bar(0, 0) && ev_bar(1, 0) && nr_events == 2);

	/* The smallest BARs: 4 ports, 16 bytes of memory. */
	dev_reset();
	pci_set_u32(dev.cfg, 0x10, 0x00000001);
	sizes[0] = 4;
	sizes[1] = 16;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	wr(0x10, 4, 0xffffffff);
	wr(0x14, 4, 0xffffffff);
	CHECK_EQ_U64(rd(0x10, 4), 0xfffffffd);
	CHECK_EQ_U64(rd(0x14, 4), 0xfffffff0);
	wr(0x10, 4, 0xc004);
	CHECK_EQ_U64(rd(0x10, 4), 0xc005);
}

static void test_rom_and_bad_sizes(void)
{
	/* No ROM: nothing to size, no hook. */
	bars_dev();
	sizes[VFIO_BAR_ROM] = 0;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	wr(PCI_ROM_ADDRESS, 4, 0xffffffff);
	CHECK_EQ_U64(rd(PCI_ROM_ADDRESS, 4), 0);
	CHECK_EQ_U64(nr_events, 0);

	bars_dev();
	sizes[0] = 3000;
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "BAR 0");
	bars_dev();
	sizes[2] = 0x180000;
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "BAR 2");
	bars_dev();
	sizes[1] = 2;				/* I/O BARs are at least 4 */
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "BAR 1");
	bars_dev();
	sizes[0] = 8;				/* memory BARs at least 16 */
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "BAR 0");
	bars_dev();
	sizes[VFIO_BAR_ROM] = 0x3000;
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "ROM");
	bars_dev();
	sizes[VFIO_BAR_ROM] = 1024;		/* ROMs at least 2 KiB */
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "ROM");
	/* A 64-bit BAR in the last slot has no upper half. */
	bars_dev();
	pci_set_u32(dev.cfg, 0x24, 0x0000000c);
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "BAR 5");
	/* Memory type 01 (below 1 MiB) is reserved. */
	bars_dev();
	pci_set_u32(dev.cfg, 0x10, 0x00000002);
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "reserved");

	/* Devices that cannot be assigned at all. */
	dev_reset();
	dev.cfg[PCI_HEADER_TYPE] = 0x01;	/* a bridge */
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "header type 1");
	dev_reset();
	memset(dev.cfg, 0xff, sizeof(dev.cfg));
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "all ones");
	dev_reset();
	dev.fail_read = true;
	CHECK(cfg_init(MSIX_MAX_VECTORS) < 0);
	CHECK_CONTAINS(err, "failed");
}

/* PM -> vendor-specific -> MSI (64-bit, maskable, asks for 8 vectors) ->
 * MSI-X (table in BAR 0) -> PCIe -> VPD. */
static void caps_dev(void)
{
	dev_reset();
	pci_set_u32(dev.cfg, 0x10, 0xfeb00000);
	sizes[0] = 0x10000;
	add_cap(0x40, PCI_CAP_ID_PM, 0x50);
	pci_set_u16(dev.cfg, 0x42, 0x0003);
	add_cap(0x50, 0x09, 0x60);
	add_cap(0x60, PCI_CAP_ID_MSI, 0x80);
	pci_set_u16(dev.cfg, 0x62, 0x0187);	/* maskable, 64-bit, MMC 8, on */
	pci_set_u32(dev.cfg, 0x64, 0xfee01004);
	pci_set_u32(dev.cfg, 0x70, 0xffffffff);
	add_cap(0x80, PCI_CAP_ID_MSIX, 0x90);
	pci_set_u16(dev.cfg, 0x82, 0x8007);	/* 8 vectors, enabled */
	pci_set_u32(dev.cfg, 0x84, 0x00002000);
	pci_set_u32(dev.cfg, 0x88, 0x00003000);
	add_cap(0x90, PCI_CAP_ID_EXP, 0xa0);
	pci_set_u16(dev.cfg, 0x92, 0x0002);
	add_cap(0xa0, 0x03, 0x00);
	dev.cfg[PCI_CAPABILITY_LIST] = 0x43;	/* reserved low bits set */
	dev.cfg[PCI_STATUS + 1] = 0x02;		/* DEVSEL medium */
}

static void test_capabilities(void)
{
	static const uint8_t all[] = { PCI_CAP_ID_PM, PCI_CAP_ID_MSI,
				       PCI_CAP_ID_MSIX, PCI_CAP_ID_EXP };
	static const uint8_t pm_pcie[] = { PCI_CAP_ID_PM, PCI_CAP_ID_EXP };
	static const uint8_t pm[] = { PCI_CAP_ID_PM };

	caps_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(all, 4));
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0x40);
	CHECK_EQ_U64(rd(0x41, 1), 0x60);
	CHECK_EQ_U64(rd(0x61, 1), 0x80);
	CHECK_EQ_U64(rd(0x81, 1), 0x90);
	CHECK_EQ_U64(rd(0x91, 1), 0);
	CHECK(vc.pm == 0x40 && vc.msi == 0x60 && vc.msix == 0x80 && vc.pcie == 0x90);
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0x0210);
	CHECK_EQ_U64(rd(PCI_HEADER_TYPE, 1), 0);
	CHECK_EQ_U64(rd(0x35, 4), 0);		/* reserved after the pointer */
	/* Capability bodies other than MSI and MSI-X control are the
	 * device's; the hidden ones stay in place, unlisted. */
	CHECK_EQ_U64(rd(0x40, 4), 0x00036001);
	CHECK_EQ_U64(rd(0x90, 4), 0x00020010);
	CHECK_EQ_U64(rd(0x50, 2), 0x6009);
	/* The guest cannot relink: pointers are neither kept nor forwarded. */
	wr(PCI_CAPABILITY_LIST, 1, 0x50);
	wr(0x41, 1, 0x50);
	wr(0x91, 1, 0xa0);
	CHECK(walk_is(all, 4));
	CHECK_EQ_U64(count_events(EV_IO_WRITE), 0);
	/* Nor set CAP_LIST or the multi-function bit. */
	dev.cfg[PCI_STATUS] = 0;
	CHECK_EQ_U64(rd(PCI_STATUS, 1), PCI_STATUS_CAP_LIST);
	CHECK_EQ_U64(rd(PCI_HEADER_TYPE, 1), 0);

	/* A loop back to the start ends the walk. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x50);
	add_cap(0x50, PCI_CAP_ID_EXP, 0x40);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(pm_pcie, 2));
	/* So do a self-loop, and a loop through hidden capabilities. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x48);
	add_cap(0x48, 0x09, 0x4c);
	add_cap(0x4c, 0x09, 0x48);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(pm, 1));
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x40);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(pm, 1));
	/* A pointer into the header ends it too. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x3c);
	dev.cfg[0x3c] = PCI_CAP_ID_EXP;
	dev.cfg[0x3d] = 0x40;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(pm, 1));
	/* The longest chain: a capability in every dword, PCIe near the
	 * end (its Device Control must still be inside config space). */
	dev_reset();
	for (unsigned int off = 0x40; off < 0xfc; off += 4)
		add_cap(off, off == 0xf4 ? PCI_CAP_ID_EXP : 0x09, off + 4);
	add_cap(0xfc, 0x09, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.pcie, 0xf4);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0xf4);
	CHECK_EQ_U64(rd(0xf5, 1), 0);
	/* PCIe at 0xfc would have its registers past the end: hidden. */
	dev_reset();
	add_cap(0xfc, PCI_CAP_ID_EXP, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.pcie, 0);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0);
	/* A capability inside one already kept is hidden: PM's header in
	 * a 64-bit maskable MSI's registers (0x40-0x57), then one that
	 * covers the kept PCIe's link (fuzz-vfio-config found the first). */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_MSI, 0x48);
	pci_set_u16(dev.cfg, 0x42, 0x0180);
	add_cap(0x48, PCI_CAP_ID_PM, 0x60);
	add_cap(0x60, PCI_CAP_ID_EXP, 0x5c);
	add_cap(0x5c, PCI_CAP_ID_PM, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.msi, 0x40);
	CHECK_EQ_U64(vc.pm, 0);
	CHECK_EQ_U64(vc.pcie, 0x60);
	CHECK_EQ_U64(rd(0x41, 1), 0x60);
	CHECK_EQ_U64(rd(0x61, 1), 0);
	/* The same with a second PM and PCIe: only the first of each. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x48);
	add_cap(0x48, PCI_CAP_ID_EXP, 0x50);
	add_cap(0x50, PCI_CAP_ID_PM, 0x58);
	add_cap(0x58, PCI_CAP_ID_EXP, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(pm_pcie, 2));
	CHECK_EQ_U64(rd(0x49, 1), 0);

	/* No capabilities, or none worth listing: bit clear, pointer 0. */
	dev_reset();
	dev.cfg[PCI_CAPABILITY_LIST] = 0x40;	/* but STATUS says none */
	dev.cfg[0x40] = PCI_CAP_ID_PM;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0);
	dev_reset();
	add_cap(0x40, 0x09, 0x50);
	add_cap(0x50, 0x03, 0);
	dev.ro[PCI_STATUS] = 0;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0);
	/* Even if the device's bit is writable, the guest's 1 is not. */
	wr(PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0);
	CHECK(ev_io(0, PCI_STATUS, 2, 0));
}

static void test_msi(void)
{
	static const uint8_t msi32[] = { PCI_CAP_ID_MSI, PCI_CAP_ID_EXP };
	struct vfio_msi_state s;
	unsigned int calls;

	caps_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(vc.msi_64 && vc.msi_maskable);
	/* One vector, off; the device's state does not show. */
	CHECK_EQ_U64(rd(0x60, 4), 0x01808005);
	CHECK_EQ_U64(rd(0x64, 4), 0);
	CHECK_EQ_U64(rd(0x70, 4), 0);
	vfio_config_msi(&vc, &s);
	CHECK(!s.enabled && !s.address && !s.data && !s.masked);

	/* Only enable is writable: MME stays 0, the flags stay. */
	wr(0x62, 2, 0xffff);
	CHECK_EQ_U64(rd(0x62, 2), 0x0181);
	CHECK(events[0].kind == EV_MSI && nr_events == 1);
	wr(0x62, 2, 0x0070);
	CHECK_EQ_U64(rd(0x62, 2), 0x0180);
	wr(0x62, 1, 0x01);
	wr(0x64, 4, 0xfee0100f);		/* bits 1:0 read 0 */
	wr(0x68, 4, 0x00000001);
	wr(0x6c, 4, 0xffff4041);		/* data; 0x6e is reserved */
	wr(0x70, 4, 0xffffffff);		/* one vector: one mask bit */
	CHECK_EQ_U64(rd(0x64, 4), 0xfee0100c);
	CHECK_EQ_U64(rd(0x68, 4), 1);
	CHECK_EQ_U64(rd(0x6c, 4), 0x4041);
	CHECK_EQ_U64(rd(0x70, 4), 1);
	vfio_config_msi(&vc, &s);
	CHECK(s.enabled && s.masked);
	CHECK_EQ_U64(s.address, 0x1fee0100cull);
	CHECK_EQ_U64(s.data, 0x4041);
	wr(0x70, 1, 0);
	vfio_config_msi(&vc, &s);
	CHECK(!s.masked);
	/* Each write reported, none forwarded (the device still has its own
	 * values). */
	CHECK_EQ_U64(count_events(EV_MSI), 8);
	CHECK_EQ_U64(nr_events, 8);
	CHECK_EQ_U64(dev.writes, 0);
	CHECK_EQ_U64(pci_get_u16(dev.cfg, 0x62), 0x0187);
	CHECK_EQ_U64(pci_get_u32(dev.cfg, 0x64), 0xfee01004);
	/* Writes next to the capability do not count as MSI writes. */
	log_clear();
	wr(0x5c, 4, 0);
	wr(0x78, 4, 0);
	CHECK_EQ_U64(count_events(EV_MSI), 0);
	wr(0x77, 2, 0);				/* last pending byte: does */
	CHECK_EQ_U64(count_events(EV_MSI), 1);

	/* Pending bits come from the hook, only when read, never written. */
	pending_value = 1;
	calls = pending_calls;
	CHECK_EQ_U64(rd(0x74, 4), 1);
	CHECK_EQ_U64(pending_calls, calls + 1);
	CHECK_EQ_U64(rd(0x72, 4), 0x00010000);
	CHECK_EQ_U64(rd(0x77, 1), 0);
	CHECK_EQ_U64(pending_calls, calls + 3);
	rd(0x70, 4);
	rd(0x78, 4);
	CHECK_EQ_U64(pending_calls, calls + 3);
	wr(0x74, 4, 0);
	CHECK_EQ_U64(rd(0x74, 4), 1);
	pending_value = 0;
	CHECK_EQ_U64(rd(0x74, 4), 0);

	/* 32-bit, not maskable: data at 8, and 0xc is no longer MSI. */
	dev_reset();
	add_cap(0x60, PCI_CAP_ID_MSI, 0x70);
	pci_set_u16(dev.cfg, 0x62, 0x0001);
	add_cap(0x70, PCI_CAP_ID_EXP, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(walk_is(msi32, 2));
	CHECK(!vc.msi_64 && !vc.msi_maskable);
	wr(0x62, 2, 1);
	wr(0x64, 4, 0xfee00000);
	wr(0x68, 4, 0x12345678);		/* 0x6a: past the capability */
	CHECK_EQ_U64(rd(0x68, 4), 0x12345678);
	CHECK(ev_io(2, 0x6a, 2, 0x1234));
	vfio_config_msi(&vc, &s);
	CHECK(s.enabled && !s.masked);
	CHECK_EQ_U64(s.address, 0xfee00000);
	CHECK_EQ_U64(s.data, 0x5678);
	CHECK_EQ_U64(count_events(EV_MSI), 3);
	CHECK_EQ_U64(count_events(EV_IO_WRITE), 1);
	calls = pending_calls;
	rd(0x6c, 4);
	rd(0x70, 4);
	CHECK_EQ_U64(pending_calls, calls);
	log_clear();
	wr(0x6c, 2, 0xabcd);			/* past the capability */
	CHECK_EQ_U64(count_events(EV_MSI), 0);
	CHECK(ev_io(0, 0x6c, 2, 0xabcd));

	/* An MSI capability that would run past 256 bytes is hidden. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0xf0);
	add_cap(0xf0, PCI_CAP_ID_MSI, 0);
	pci_set_u16(dev.cfg, 0xf2, 0x0180);	/* 0x18 bytes */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.msi, 0);
	CHECK_EQ_U64(rd(0x41, 1), 0);
}

static void msix_dev(uint16_t ctrl, uint32_t table, uint32_t pba)
{
	caps_dev();
	pci_set_u16(dev.cfg, 0x82, ctrl);
	pci_set_u32(dev.cfg, 0x84, table);
	pci_set_u32(dev.cfg, 0x88, pba);
}

static bool msix_hidden(void)
{
	static const uint8_t no_msix[] = { PCI_CAP_ID_PM, PCI_CAP_ID_MSI,
					   PCI_CAP_ID_EXP };

	return !vc.msix && walk_is(no_msix, 3);
}

static void test_msix(void)
{
	caps_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.msix_vectors, 8);
	CHECK(vc.msix_table_bar == 0 && vc.msix_table_offset == 0x2000);
	CHECK(vc.msix_pba_bar == 0 && vc.msix_pba_offset == 0x3000);
	/* Disabled whatever the device says; offsets are the device's. */
	CHECK_EQ_U64(rd(0x80, 4), 0x00079011);
	CHECK_EQ_U64(rd(0x84, 4), 0x2000);
	CHECK_EQ_U64(rd(0x88, 4), 0x3000);

	wr(0x82, 2, 0xffff);
	CHECK_EQ_U64(rd(0x82, 2), 0xc007);
	CHECK(ev_msix(0, 0xc007) && nr_events == 1);
	wr(0x83, 1, 0x80);			/* function mask off */
	CHECK_EQ_U64(rd(0x82, 2), 0x8007);
	CHECK(ev_msix(1, 0x8007) && nr_events == 2);
	wr(0x80, 4, 0x0000ff11);		/* and the id, not the hook */
	CHECK_EQ_U64(rd(0x82, 2), 0x0007);
	CHECK(ev_io(2, 0x80, 1, 0x11) && ev_msix(3, 0x0007) && nr_events == 4);
	/* Writes to the offsets go to the device (which owns them). */
	log_clear();
	wr(0x84, 4, 0x2000);
	CHECK(ev_io(0, 0x84, 4, 0x2000) && nr_events == 1);
	/* Control itself never reaches the device. */
	CHECK_EQ_U64(pci_get_u16(dev.cfg, 0x82), 0x8007);

	/* The table the guest sees is capped. */
	msix_dev(0x03ff, 0x2000, 0x8000);	/* 1024 vectors */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.msix_vectors, MSIX_MAX_VECTORS);
	CHECK_EQ_U64(rd(0x82, 2), MSIX_MAX_VECTORS - 1);
	CHECK(!cfg_init(3));
	CHECK_EQ_U64(rd(0x82, 2), 2);
	CHECK(!cfg_init(1));
	CHECK_EQ_U64(rd(0x82, 2), 0);
	msix_dev(0x0000, 0x2000, 0x3000);	/* 1 vector */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(rd(0x82, 2), 0);

	/* A table or PBA ursa could not serve hides the capability. */
	msix_dev(0x0007, 0xff88, 0x3000);	/* 8 entries from 0xff88 */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0xff80, 0x3000);	/* exactly fits */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(!msix_hidden() && vc.msix == 0x80);
	msix_dev(0x0007, 0x2000, 0x10000);	/* PBA past the BAR */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x2004, 0x3000);	/* BAR 4: absent */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x2000, 0x3007);	/* BIR 7: reserved */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x0001, 0x3000);	/* table in an I/O BAR */
	pci_set_u32(dev.cfg, 0x14, 0xe001);
	sizes[1] = 0x100;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x2000, 0x0001);	/* PBA in an I/O BAR */
	pci_set_u32(dev.cfg, 0x14, 0xe001);
	sizes[1] = 0x100;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x2000, 0x3004);	/* PBA in an absent BAR */
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	/* The upper half of a 64-bit BAR is no BAR; its low index is. */
	msix_dev(0x0007, 0x0003, 0x0003);
	pci_set_u32(dev.cfg, 0x18, 0x0000000c);
	sizes[2] = 0x4000;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(msix_hidden());
	msix_dev(0x0007, 0x0002, 0x1002);
	pci_set_u32(dev.cfg, 0x18, 0x0000000c);
	sizes[2] = 0x4000;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK(vc.msix == 0x80 && vc.msix_table_bar == 2 && vc.msix_pba_offset == 0x1000);

	/* At the very end of config space, its registers would lie past
	 * 256 bytes: hidden, and the device's bytes are not read beyond. */
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0xf8);
	add_cap(0xf8, PCI_CAP_ID_MSIX, 0xfc);
	add_cap(0xfc, PCI_CAP_ID_MSIX, 0);
	sizes[0] = 0x10000;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vc.msix, 0);
	CHECK_EQ_U64(rd(0x41, 1), 0);
}

static void test_command(void)
{
	bars_dev();
	pci_set_u16(dev.cfg, PCI_COMMAND, 0x0400);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vfio_config_command(&vc), 0x0400);

	/* Hook before, the device, hook after. */
	wr(PCI_COMMAND, 2, 0x0006);
	CHECK_EQ_U64(nr_events, 3);
	CHECK(ev_command(0, 0x0400, 0x0006, true));
	CHECK(ev_io(1, PCI_COMMAND, 2, 0x0006));
	CHECK(ev_command(2, 0x0400, 0x0006, false));
	CHECK_EQ_U64(dev.command_writes, 1);
	CHECK_EQ_U64(vfio_config_command(&vc), 0x0006);

	/* A dword with STATUS: the CAP_LIST bit the device gets is ursa's
	 * (clear: no capabilities), the rest is the guest's. */
	log_clear();
	wr(PCI_COMMAND, 4, 0xf9100407);
	CHECK(ev_command(0, 0x0006, 0x0407, true));
	CHECK(ev_io(1, PCI_COMMAND, 4, 0xf9000407));
	CHECK(ev_command(2, 0x0006, 0x0407, false));
	CHECK_EQ_U64(nr_events, 3);

	/* One byte of COMMAND: the other byte is the old one. */
	log_clear();
	wr(PCI_COMMAND + 1, 1, 0x01);
	CHECK(ev_command(0, 0x0407, 0x0107, true));
	CHECK(ev_io(1, PCI_COMMAND + 1, 1, 0x01));
	CHECK(ev_command(2, 0x0407, 0x0107, false));
	log_clear();
	wr(PCI_DEVICE_ID, 3, 0x020000);
	CHECK(ev_command(0, 0x0107, 0x0102, true));
	CHECK(ev_io(1, PCI_DEVICE_ID, 3, 0x020000));
	CHECK(ev_command(2, 0x0107, 0x0102, false));
	CHECK_EQ_U64(rd(PCI_VENDOR_ID, 4), 0x10d38086);	/* the device's RO */
	/* Next to COMMAND: no hook. */
	log_clear();
	wr(PCI_DEVICE_ID, 2, 0);
	wr(PCI_STATUS, 2, 0);
	CHECK_EQ_U64(count_events(EV_COMMAND), 0);
	CHECK_EQ_U64(count_events(EV_IO_WRITE), 2);
	/* The device refusing the write: hooks still paired. */
	log_clear();
	dev.fail_write = true;
	wr(PCI_COMMAND, 2, 0x0002);
	CHECK(ev_command(0, 0x0102, 0x0002, true));
	CHECK(ev_io(1, PCI_COMMAND, 2, 0x0002));
	CHECK(ev_command(2, 0x0102, 0x0002, false));
	dev.fail_write = false;

	/* Mixed registers split into runs of the device's bytes. */
	caps_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	wr(0x40, 4, 0x01235001);		/* PM: next pointer is ursa's */
	CHECK(ev_io(0, 0x40, 1, 0x01) && ev_io(1, 0x42, 2, 0x0123));
	CHECK_EQ_U64(nr_events, 2);
	log_clear();
	wr(PCI_INTERRUPT_LINE, 4, 0xffeeddcc);	/* line is ursa's */
	CHECK(ev_io(0, PCI_INTERRUPT_PIN, 3, 0xffeedd) && nr_events == 1);
	CHECK_EQ_U64(rd(PCI_INTERRUPT_LINE, 1), 0xcc);
	CHECK_EQ_U64(dev.cfg[PCI_INTERRUPT_LINE], 0);
	log_clear();
	wr(PCI_CACHE_LINE_SIZE, 4, 0x00ff4010);	/* multi-function bit ursa's */
	CHECK(ev_io(0, PCI_CACHE_LINE_SIZE, 4, 0x007f4010) && nr_events == 1);
	log_clear();
	wr(0x2e, 4, 0xffffffff);		/* subsystem id, then the ROM */
	CHECK(ev_io(0, 0x2e, 2, 0xffff) && nr_events == 1);
	log_clear();
	wr(0x28, 4, 0xffffffff);		/* CardBus CIS: ursa's, 0 */
	CHECK_EQ_U64(rd(0x28, 4), 0);
	CHECK_EQ_U64(nr_events, 0);
}

static void test_hostile(void)
{
	unsigned int mismatches = 0, nonzero = 0, reads, bad = 0;
	uint8_t d[8];

	caps_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	pending_value = 0x1;

	/* Every read: a multi-byte read is its bytes; past 256 all 0 and
	 * the device is not asked. */
	for (unsigned int off = 0; off < 4096; off++) {
		for (unsigned int size = 1; size <= 4; size++) {
			memset(d, 0xa5, sizeof(d));
			reads = dev.reads;
			vfio_config_read(&vc, off, d, size);
			for (unsigned int i = 0; i < size; i++) {
				if (off + i >= PCI_CFG_SIZE)
					nonzero += d[i] != 0;
				else if (d[i] != rd(off + i, 1))
					mismatches++;
			}
			if (off >= PCI_CFG_SIZE && dev.reads != reads)
				bad++;
			if (d[size] != 0xa5)
				bad++;
		}
	}
	CHECK_EQ_U64(mismatches, 0);
	CHECK_EQ_U64(nonzero, 0);
	CHECK_EQ_U64(bad, 0);
	/* Registers all ursa's do not ask the device. */
	reads = dev.reads;
	rd(0x10, 4);
	rd(PCI_CAPABILITY_LIST, 4);
	rd(0x64, 4);
	rd(0x82, 2);
	CHECK_EQ_U64(dev.reads, reads);
	rd(0x80, 1);
	CHECK_EQ_U64(dev.reads, reads + 1);

	/* Writes past 256 are dropped: nothing to the device, no hook. */
	log_clear();
	for (unsigned int off = PCI_CFG_SIZE; off < 4096; off++)
		for (unsigned int size = 1; size <= 4; size++)
			wr(off, size, 0xffffffff);
	CHECK_EQ_U64(nr_events, 0);
	CHECK_EQ_U64(lost_events, 0);
	CHECK_EQ_U64(dev.writes, 0);
	CHECK_EQ_U64(rd(0xffc, 4), 0);

	/* Straddling the end of conventional space: cut at 0x100. */
	pci_set_u16(dev.cfg, 0xfe, 0xbeef);
	reads = dev.reads;
	CHECK_EQ_U64(rd(0xfe, 4), 0xbeef);
	CHECK_EQ_U64(rd(0xff, 2), 0xbe);
	CHECK_EQ_U64(dev.reads, reads + 2);
	wr(0xfd, 4, 0x44332211);
	wr(0xff, 2, 0x6655);
	CHECK(ev_io(0, 0xfd, 3, 0x332211) && ev_io(1, 0xff, 1, 0x55));
	CHECK_EQ_U64(nr_events, 2);
	/* Too large an access is cut to 4 bytes. */
	log_clear();
	memset(d, 0xa5, sizeof(d));
	vfio_config_read(&vc, PCI_VENDOR_ID, d, 8);
	CHECK_EQ_U64(le_load(d, 8), 0xa5a5a5a510d38086ull);
	memset(d, 0, sizeof(d));
	vfio_config_write(&vc, 0xa4, d, 8);
	CHECK(ev_io(0, 0xa4, 4, 0) && nr_events == 1);
	memset(d, 0xa5, sizeof(d));
	vfio_config_read(&vc, 0xfe, d, 1000);
	CHECK_EQ_U64(le_load(d, 8), 0xa5a5a5a500005522ull);
	CHECK_EQ_U64(dev.bad_io, 0);

	/* Every write below 256, every size: the device only gets bytes in
	 * range, the IDs stay, and the emulation still makes sense. The
	 * writes over Device Control (0x98) initiate FLRs, which take BAR 0,
	 * MSI and MSI-X, all written before, back to their reset values. */
	log_clear();
	for (unsigned int off = 0; off < PCI_CFG_SIZE; off++) {
		for (unsigned int size = 1; size <= 4; size++) {
			wr(off, size, 0xffffffff);
			log_clear();
		}
	}
	CHECK_EQ_U64(dev.bad_io, 0);
	CHECK_EQ_U64(rd(PCI_VENDOR_ID, 4), 0x10d38086);
	CHECK_EQ_U64(rd(PCI_HEADER_TYPE, 1), 0);
	CHECK_EQ_U64(rd(0x10, 4), 0);
	CHECK_EQ_U64(rd(0x62, 2), 0x0180);
	CHECK_EQ_U64(rd(0x82, 2), 0x0007);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 1), 0x40);
	wr(0x10, 4, 0xffffffff);
	wr(0x82, 2, 0xffff);

	/* A failing device: its bytes read all ones, ursa's still hold. */
	wr(PCI_INTERRUPT_LINE, 1, 0x0b);
	dev.fail_read = true;
	CHECK_EQ_U64(rd(PCI_VENDOR_ID, 4), 0xffffffff);
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0xffff);
	CHECK_EQ_U64(rd(PCI_CACHE_LINE_SIZE, 4), 0xff7fffff);
	CHECK_EQ_U64(rd(0x10, 4), 0xffff0000);
	CHECK_EQ_U64(rd(PCI_CAPABILITY_LIST, 4), 0x40);
	CHECK_EQ_U64(rd(0x40, 4), 0xffff60ff);
	CHECK_EQ_U64(rd(0x80, 4), 0xc00790ff);
	CHECK_EQ_U64(rd(PCI_INTERRUPT_LINE, 2), 0xff0b);
	CHECK_EQ_U64(rd(0x200, 4), 0);
	/* COMMAND then reads as all ones: the hook's old value says so. */
	log_clear();
	wr(PCI_COMMAND, 2, 0);
	CHECK(ev_command(0, 0xffff, 0, true) && ev_command(2, 0xffff, 0, false));
	dev.fail_read = false;

	/* Without capabilities CAP_LIST reads clear even when the device
	 * fails. */
	bars_dev();
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	dev.fail_read = true;
	CHECK_EQ_U64(rd(PCI_STATUS, 2), 0xffef);
	dev.fail_read = false;
	CHECK_EQ_U64(dev.bad_io, 0);
}

static bool ev_is(unsigned int i, enum ev_kind kind, uint16_t old, uint16_t new,
		  bool before)
{
	const struct event *e = &events[i];

	return i < nr_events && e->kind == kind && e->before == before &&
	       (kind != EV_POWER || (e->old == old && e->new == new));
}

/* PMCSR power-state changes and FLRs are announced around the write that
 * reaches the device; writes that change neither are not. */
static void test_power_and_flr(void)
{
	dev_reset();
	add_cap(0x40, PCI_CAP_ID_PM, 0x50);
	add_cap(0x50, PCI_CAP_ID_EXP, 0);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	CHECK_EQ_U64(vfio_config_power_state(&vc), 0);

	log_clear();
	wr(0x44, 2, 0x0003);			/* D0 -> D3hot */
	CHECK_EQ_U64(nr_events, 3);
	CHECK(ev_is(0, EV_POWER, 0, 3, true));
	CHECK(ev_io(1, 0x44, 2, 0x0003));
	CHECK(ev_is(2, EV_POWER, 0, 3, false));
	CHECK_EQ_U64(vfio_config_power_state(&vc), 3);
	log_clear();
	wr(0x45, 1, 0x80);			/* PME status byte: same state */
	wr(0x44, 4, 0x00000003);		/* D3hot again */
	CHECK_EQ_U64(count_events(EV_POWER), 0);
	log_clear();
	wr(0x44, 1, 0x00);			/* back to D0 */
	CHECK(ev_is(0, EV_POWER, 3, 0, true));
	CHECK(ev_is(2, EV_POWER, 3, 0, false));

	log_clear();
	wr(0x58, 2, 0x8000);			/* Initiate FLR */
	CHECK_EQ_U64(nr_events, 4);
	CHECK(ev_is(0, EV_FLR, 0, 0, true));
	CHECK(ev_io(1, 0x58, 2, 0x8000));
	CHECK(ev_io(2, PCI_COMMAND, 2, 0));	/* reset value, see below */
	CHECK(ev_is(3, EV_FLR, 0, 0, false));
	log_clear();
	wr(0x58, 4, 0x00002810);		/* Device Control without it */
	wr(0x59, 1, 0x80);			/* the FLR bit by itself */
	CHECK_EQ_U64(count_events(EV_FLR), 2);

	/* No PM or PCIe capability listed: no such events. */
	dev_reset();
	add_cap(0x40, 0x09, 0);
	dev.cfg[0x44] = 0;
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	log_clear();
	wr(0x44, 2, 0x0003);
	CHECK_EQ_U64(count_events(EV_POWER) + count_events(EV_FLR), 0);
}

/*
 * After an FLR the guest sees the function's reset values: BARs without
 * an address, MSI and MSI-X off (their hooks called before the "after"
 * event), COMMAND cleared through the device; the interrupt line stays.
 */
static void test_flr_resets(void)
{
	caps_dev();
	pci_set_u16(dev.cfg, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK(!cfg_init(MSIX_MAX_VECTORS));
	wr(0x10, 4, 0xc0000000);
	wr(PCI_INTERRUPT_LINE, 1, 10);
	wr(0x62, 2, 0x0001);			/* MSI on */
	wr(0x64, 4, 0xfee00000);
	wr(0x82, 2, 0xc000);			/* MSI-X on, function masked */
	CHECK_EQ_U64(rd(0x10, 4), 0xc0000000);

	log_clear();
	wr(0x98, 2, 0x8000);			/* Initiate FLR */
	CHECK(ev_is(0, EV_FLR, 0, 0, true));
	CHECK(ev_io(1, 0x98, 2, 0x8000));
	CHECK(ev_io(2, PCI_COMMAND, 2, 0));
	CHECK(events[3].kind == EV_MSI);
	CHECK(ev_msix(4, 0x0007));
	CHECK(ev_is(5, EV_FLR, 0, 0, false));
	CHECK_EQ_U64(nr_events, 6);
	CHECK_EQ_U64(rd(0x10, 4), 0);
	CHECK_EQ_U64(rd(0x62, 2), 0x0180);
	CHECK_EQ_U64(rd(0x64, 4), 0);
	CHECK_EQ_U64(rd(0x82, 2), 0x0007);
	CHECK_EQ_U64(rd(PCI_COMMAND, 2), 0);
	CHECK_EQ_U64(rd(PCI_INTERRUPT_LINE, 1), 10);
}

int main(void)
{
	test_bars();
	test_rom_and_bad_sizes();
	test_capabilities();
	test_msi();
	test_msix();
	test_command();
	test_power_and_flr();
	test_flr_resets();
	test_hostile();
	CHECK_EQ_U64(lost_events, 0);
	return check_report("vfio_config");
}
