// SPDX-License-Identifier: GPL-2.0-only
/*
 * Config-space virtualization of an assigned device (vfio/config.c)
 * against a fake config region: the device's 256 bytes and BAR sizes are
 * the input's (hostile hardware, or a hostile device model behind
 * vfio-pci), and so are the guest's accesses that follow.
 *
 * Input: a flags byte; the device's config space (a plausible device with
 * BARs, PM, MSI, PCIe and MSI-X capabilities and some bytes patched, or
 * 256 bytes as given); the seven region sizes; the MSI-X vector cap; then
 * operations: guest reads and writes of 1..4 bytes at any offset below
 * 4096 + 4, failing device transfers, MSI pending bits.
 *
 * Checked:
 * - vfio_config_init() either fails with one line of message or builds a
 *   capability list the guest can walk: at most four entries, PM, MSI,
 *   PCIe and MSI-X at most once each, the MSI-X table and PBA inside
 *   memory BARs;
 * - a read fills exactly its bytes: emulated bits from the emulation,
 *   the others the device's (all ones when its transfer failed), zero
 *   from 256 on; the device region is only ever accessed inside its 256
 *   bytes, 1..4 at a time;
 * - a write reaches the device only for bytes the device owns, with the
 *   emulated bits of partly emulated bytes (COMMAND's neighbours, say)
 *   taken from the emulation; the COMMAND, power state and FLR hooks come
 *   in before/after pairs with the old and new values; BAR hooks name
 *   BARs that exist; after an FLR, COMMAND reads 0 and MSI and MSI-X are
 *   off;
 * - emulated read-only bits never change (only the MSI pending bits do),
 *   the power state stays in 0..3, and the MSI-X table size the guest
 *   reads stays what ursa chose.
 */
#include "fuzz.h"
#include "devices/msix.h"
#include "vfio/config.h"
#include "vmm/bytes.h"

#define ERR_LEN		256
#define MSI_CTRL_ENABLE	0x0001
#define MSIX_ENABLE	0x8000

struct fake_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t ro[PCI_CFG_SIZE];	/* bits the device ignores writes to */
	bool fail_read, fail_write;
};

enum ev_kind { EV_COMMAND, EV_POWER, EV_FLR };

struct event {
	enum ev_kind kind;
	unsigned int old, new;
	bool before;
};

static struct fake_dev dev;
static struct vfio_config vc;
static uint8_t vcfg[PCI_CFG_SIZE], wmask[PCI_CFG_SIZE];
static struct event events[16];
static unsigned int nr_events;
static uint32_t msi_pending;

static bool io_ok(unsigned int off, unsigned int len)
{
	return len >= 1 && len <= 4 && off < PCI_CFG_SIZE &&
	       len <= PCI_CFG_SIZE - off;
}

static bool dev_read(void *opaque, unsigned int off, void *buf, unsigned int len)
{
	FUZZ_CHECK(opaque == &dev && io_ok(off, len));
	if (dev.fail_read)
		return false;
	memcpy(buf, &dev.cfg[off], len);
	return true;
}

static bool dev_write(void *opaque, unsigned int off, const void *buf,
		      unsigned int len)
{
	const uint8_t *b = buf;

	FUZZ_CHECK(opaque == &dev && io_ok(off, len));
	for (unsigned int i = 0; i < len; i++) {
		uint8_t emu = vc.emulated[off + i];

		/* Only the device's bits; emulated ones as the emulation has them. */
		FUZZ_CHECK(emu != 0xff);
		FUZZ_CHECK((b[i] & emu) == (vcfg[off + i] & emu));
	}
	if (dev.fail_write)
		return false;
	for (unsigned int i = 0; i < len; i++) {
		uint8_t ro = dev.ro[off + i];

		dev.cfg[off + i] = (dev.cfg[off + i] & ro) | (b[i] & ~ro);
	}
	return true;
}

static void log_event(enum ev_kind kind, unsigned int old, unsigned int new,
		      bool before)
{
	FUZZ_CHECK(nr_events < sizeof(events) / sizeof(events[0]));
	events[nr_events++] = (struct event){ kind, old, new, before };
}

static void on_command(void *opaque, uint16_t old, uint16_t new, bool before)
{
	(void)opaque;
	log_event(EV_COMMAND, old, new, before);
}

static void on_power(void *opaque, unsigned int old, unsigned int new, bool before)
{
	(void)opaque;
	FUZZ_CHECK(old <= PCI_PM_D3HOT && new <= PCI_PM_D3HOT && old != new);
	log_event(EV_POWER, old, new, before);
}

static void on_flr(void *opaque, bool before)
{
	(void)opaque;
	log_event(EV_FLR, 0, 0, before);
}

static void on_bar_written(void *opaque, unsigned int bar)
{
	(void)opaque;
	FUZZ_CHECK(bar < VFIO_NR_BARS);
	FUZZ_CHECK(bar == VFIO_BAR_ROM ? vc.rom_size != 0 :
		   vc.bars[bar].kind != PCI_BAR_NONE);
}

static void on_msi_written(void *opaque)
{
	(void)opaque;
	FUZZ_CHECK(vc.msi);
}

static void on_msix_control(void *opaque, uint16_t ctrl)
{
	(void)opaque;
	FUZZ_CHECK(vc.msix);
	FUZZ_CHECK((ctrl & 0x7ff) == vc.msix_vectors - 1);
}

static uint32_t on_msi_pending(void *opaque)
{
	(void)opaque;
	FUZZ_CHECK(vc.msi && vc.msi_maskable);
	return msi_pending;
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

/* BAR 0 memory 32-bit, BAR 1 I/O, BARs 2-3 memory 64-bit prefetchable; a
 * ROM; PM at 0x40 -> MSI (64-bit, maskable) at 0x50 -> vendor-specific at
 * 0x68 -> PCIe at 0x70 -> MSI-X (8 vectors, table in BAR 0, PBA in BAR
 * 2) at 0xb0. */
static void template_device(void)
{
	uint8_t *c = dev.cfg;

	pci_set_u32(c, PCI_VENDOR_ID, 0x10d38086);
	pci_set_u16(c, PCI_STATUS, PCI_STATUS_CAP_LIST);
	pci_set_u32(c, PCI_REVISION_ID, 0x02000003);
	pci_set_u32(c, 0x10, 0xfeb00000);
	pci_set_u32(c, 0x14, 0x0000e001);
	pci_set_u32(c, 0x18, 0xc000000c);
	pci_set_u32(c, PCI_ROM_ADDRESS, 0xfe000000);
	c[PCI_CAPABILITY_LIST] = 0x40;
	c[PCI_INTERRUPT_PIN] = 1;
	c[0x40] = PCI_CAP_ID_PM;
	c[0x41] = 0x50;
	pci_set_u16(c, 0x42, 0x0003);
	c[0x50] = PCI_CAP_ID_MSI;
	c[0x51] = 0x68;
	pci_set_u16(c, 0x52, 0x0186);
	c[0x68] = 0x09;
	c[0x69] = 0x70;
	c[0x70] = PCI_CAP_ID_EXP;
	c[0x71] = 0xb0;
	pci_set_u16(c, 0x72, 0x0002);
	c[0xb0] = PCI_CAP_ID_MSIX;
	pci_set_u16(c, 0xb2, 7);
	pci_set_u32(c, 0xb4, 0x2000);
	pci_set_u32(c, 0xb8, 0x3002);
}

static uint64_t pick_size(struct fuzz_input *in)
{
	uint8_t b = fz_u8(in);

	if (!b)
		return 0;
	return b & 0x80 ? fz_u64(in) : 1ull << (b % 48);
}

/* What init built: a list the guest can walk, and an MSI-X table ursa
 * can serve. */
static void check_init(void)
{
	uint8_t seen[4], ptr, id;
	unsigned int n = 0;

	vfio_config_read(&vc, PCI_CAPABILITY_LIST, &ptr, 1);
	for (; ptr; vfio_config_read(&vc, ptr + 1, &ptr, 1)) {
		vfio_config_read(&vc, ptr, &id, 1);
		FUZZ_CHECK(n < 4 && ptr >= 0x40 && !(ptr & 3));
		FUZZ_CHECK(vc.emulated[ptr + 1] == 0xff);
		FUZZ_CHECK((id == PCI_CAP_ID_PM && ptr == vc.pm) ||
			   (id == PCI_CAP_ID_MSI && ptr == vc.msi) ||
			   (id == PCI_CAP_ID_EXP && ptr == vc.pcie) ||
			   (id == PCI_CAP_ID_MSIX && ptr == vc.msix));
		for (unsigned int i = 0; i < n; i++)
			FUZZ_CHECK(seen[i] != id);
		seen[n++] = id;
	}
	FUZZ_CHECK(!!(vcfg[PCI_STATUS] & PCI_STATUS_CAP_LIST) == (n > 0));
	if (vc.msix) {
		const struct pci_bar *tb = &vc.bars[vc.msix_table_bar];
		const struct pci_bar *pb = &vc.bars[vc.msix_pba_bar];

		FUZZ_CHECK(vc.msix_vectors >= 1);
		FUZZ_CHECK(tb->kind == PCI_BAR_MEM32 || tb->kind == PCI_BAR_MEM64);
		FUZZ_CHECK(pb->kind == PCI_BAR_MEM32 || pb->kind == PCI_BAR_MEM64);
		FUZZ_CHECK(vc.msix_table_offset + 16ull * vc.msix_vectors <= tb->size);
		FUZZ_CHECK(vc.msix_pba_offset + 8ull * ((vc.msix_vectors + 63) / 64) <=
			   pb->size);
	}
}

static void check_read(struct fuzz_input *in)
{
	unsigned int off = fz_u16(in) % (4096 + 4), size = 1 + fz_u8(in) % 4;
	uint8_t d[8];

	memset(d, 0xa5, sizeof(d));
	vfio_config_read(&vc, off, d, size);
	for (unsigned int i = 0; i < sizeof(d); i++) {
		unsigned int o = off + i;
		uint8_t emu, from_dev;

		if (i >= size) {
			FUZZ_CHECK(d[i] == 0xa5);
			continue;
		}
		if (o >= PCI_CFG_SIZE) {
			FUZZ_CHECK(d[i] == 0);
			continue;
		}
		emu = vc.emulated[o];
		from_dev = dev.fail_read ? 0xff : dev.cfg[o];
		FUZZ_CHECK((d[i] & emu) == (vcfg[o] & emu));
		FUZZ_CHECK((d[i] & ~emu) == (from_dev & ~emu));
	}
}

static bool overlaps(unsigned int off, unsigned int size, unsigned int reg,
		     unsigned int len)
{
	return off < reg + len && reg < off + size;
}

/* The hooks of one write: pairs, old and new. */
static void check_write(struct fuzz_input *in)
{
	unsigned int off = fz_u16(in) % (4096 + 4), size = 1 + fz_u8(in) % 4;
	bool command, flr = false;
	uint16_t old_cmd = vfio_config_command(&vc);
	unsigned int i = 0;
	uint8_t d[4];

	le_store(d, 4, fz_u32(in));
	nr_events = 0;
	vfio_config_write(&vc, off, d, size);
	command = off < PCI_CFG_SIZE && overlaps(off, size, PCI_COMMAND, 2);
	if (command) {
		FUZZ_CHECK(nr_events >= 2 && events[0].kind == EV_COMMAND &&
			   events[0].before && events[0].old == old_cmd);
		i = 1;
	}
	for (; i < nr_events; i++) {
		const struct event *e = &events[i];

		FUZZ_CHECK(off < PCI_CFG_SIZE);
		/* Every "before" has its "after", in the same order. */
		if (e->before)
			continue;
		for (unsigned int j = 0; j < i; j++) {
			if (events[j].kind == e->kind && events[j].before) {
				FUZZ_CHECK(events[j].old == e->old && events[j].new == e->new);
				events[j].before = false;	/* matched */
				break;
			}
		}
		flr |= e->kind == EV_FLR;
	}
	for (i = 0; i < nr_events; i++)
		FUZZ_CHECK(!events[i].before);
	if (flr && !dev.fail_read && !dev.fail_write &&
	    !(dev.ro[PCI_COMMAND] | dev.ro[PCI_COMMAND + 1])) {
		struct vfio_msi_state s;

		FUZZ_CHECK(vfio_config_command(&vc) == 0);
		vfio_config_msi(&vc, &s);
		FUZZ_CHECK(!s.enabled);
		FUZZ_CHECK(!vc.msix || !(pci_get_u16(vcfg, vc.msix + 2) & MSIX_ENABLE));
	}
}

static void check_state(void)
{
	unsigned int pending = 0;
	struct vfio_msi_state s;

	if (vc.msi && vc.msi_maskable)
		pending = vc.msi + (vc.msi_64 ? 0x14 : 0x10);
	for (unsigned int o = 0; o < PCI_CFG_SIZE; o++) {
		if (pending && o >= pending && o < pending + 4)
			continue;
		FUZZ_CHECK(!((vcfg[o] ^ vc.reset_vcfg[o]) & ~wmask[o] & vc.emulated[o]));
	}
	FUZZ_CHECK(vfio_config_power_state(&vc) <= PCI_PM_D3HOT);
	if (vc.msix)
		FUZZ_CHECK((pci_get_u16(vcfg, vc.msix + 2) & 0x7ff) == vc.msix_vectors - 1);
	vfio_config_msi(&vc, &s);
	if (!vc.msi)
		FUZZ_CHECK(!s.enabled && !s.address && !s.data && !s.masked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t flags = fz_u8(&in);
	uint64_t sizes[VFIO_NR_BARS];
	unsigned int max_vectors;
	char err[ERR_LEN];

	memset(&dev, 0, sizeof(dev));
	if (flags & 1) {
		const uint8_t *p;
		size_t n = fz_bytes(&in, PCI_CFG_SIZE, &p);

		memcpy(dev.cfg, p, n);
	} else {
		unsigned int patches = fz_u8(&in) % 16;

		template_device();
		while (patches--) {
			uint8_t off = fz_u8(&in);

			dev.cfg[off] = fz_u8(&in);
		}
	}
	/* Identity, class and header type are read-only, as on hardware. */
	memset(dev.ro, 0xff, 4);
	memset(&dev.ro[PCI_REVISION_ID], 0xff, 4);
	dev.ro[PCI_HEADER_TYPE] = 0xff;
	if (flags & 2)
		memset(&dev.ro[PCI_COMMAND], 0xff, 2);
	for (unsigned int i = 0; i < VFIO_NR_BARS; i++)
		sizes[i] = pick_size(&in);
	max_vectors = fz_u16(&in) % (MSIX_MAX_VECTORS + 2);

	memset(vcfg, 0, sizeof(vcfg));
	memset(wmask, 0, sizeof(wmask));
	if (vfio_config_init(&vc, &io, &hooks, vcfg, wmask, sizes, max_vectors,
			     err, sizeof(err))) {
		FUZZ_CHECK(fz_one_line(err, sizeof(err)));
		return 0;
	}
	check_init();
	while (fz_more(&in)) {
		uint8_t op = fz_u8(&in);

		switch (op % 6) {
		case 0:
		case 1:
			check_read(&in);
			break;
		case 2:
		case 3:
			check_write(&in);
			break;
		case 4:
			dev.fail_read = op & 0x10;
			dev.fail_write = op & 0x20;
			break;
		default:
			msi_pending = fz_u32(&in);
			break;
		}
		check_state();
	}
	return 0;
}
