// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "vfio/config.h"
#include "vmm/log.h"

#define EXT_CFG_SIZE		4096	/* PCIe configuration space (PCIe 6.0 7.2.2) */

/* BAR low bits (PCI Local Bus 3.0 6.2.5.1). */
#define BAR_IO			0x1
#define BAR_MEM_TYPE_MASK	0x6
#define  BAR_MEM_TYPE_32	0x0
#define  BAR_MEM_TYPE_64	0x4
#define BAR_MEM_PREFETCH	0x8
#define ROM_ADDRESS_MASK	0xfffff800u

#define HEADER_TYPE_MASK	0x7f
#define HEADER_MULTI_FUNCTION	0x80

/* MSI capability (PCI Local Bus 3.0 6.8.1). */
#define MSI_CTRL		2
#define  MSI_CTRL_ENABLE	0x0001
#define  MSI_CTRL_64BIT		0x0080
#define  MSI_CTRL_MASKABLE	0x0100
#define MSI_ADDR_LO		4

/* MSI-X capability (PCIe 6.0 7.7.2). */
#define MSIX_CTRL		2
#define  MSIX_CTRL_TABLE_SIZE	0x07ff
#define  MSIX_CTRL_WRITABLE	0xc000	/* enable, function mask */
#define MSIX_TABLE		4
#define MSIX_PBA		8
#define MSIX_BIR_MASK		0x7

/* Power management (PCI Bus Power Management 1.2, 3.2.4): PMCSR. */
#define PM_CSR			4
#define  PM_CSR_STATE		0x3

/* PCI Express capability (PCIe 6.0 7.5.3.4): Device Control. */
#define EXP_DEVCTL		8
#define  EXP_DEVCTL_FLR		0x8000	/* Initiate Function Level Reset */

#define CAP_MIN_OFFSET		0x40
#define CAP_MAX			48	/* (256 - 64) / 4 */

static unsigned int bar_reg(unsigned int i)
{
	return PCI_BASE_ADDRESS_0 + 4 * i;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The MSI register layout depends on two control bits. */
static unsigned int msi_data_off(const struct vfio_config *c)
{
	return c->msi + (c->msi_64 ? 0xc : 0x8);
}

static unsigned int msi_mask_off(const struct vfio_config *c)
{
	return c->msi + (c->msi_64 ? 0x10 : 0xc);
}

static unsigned int msi_len_of(bool is_64, bool maskable)
{
	return (is_64 ? 0xe : 0xa) + (maskable ? 0xa : 0);
}

static unsigned int msi_len(const struct vfio_config *c)
{
	return msi_len_of(c->msi_64, c->msi_maskable);
}

static void emulate(struct vfio_config *c, unsigned int off, unsigned int len,
		    uint8_t bits)
{
	memset(&c->emulated[off], bits, len);
}

/* A device register image at a known offset, little-endian. */
static void put32(uint8_t *b, unsigned int off, uint32_t v)
{
	pci_set_u32(b, off, v);
}

static int setup_bars(struct vfio_config *c, const uint8_t *raw,
		      const uint64_t sizes[VFIO_NR_BARS], char *err,
		      size_t errlen)
{
	emulate(c, bar_reg(0), 4 * PCI_NUM_BARS, 0xff);
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		uint32_t lo = pci_get_u32(raw, bar_reg(i));
		struct pci_bar *bar = &c->bars[i];
		uint64_t mask;

		if (!sizes[i])
			continue;
		if (lo & BAR_IO) {
			bar->kind = PCI_BAR_IO;
		} else if ((lo & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_32) {
			bar->kind = PCI_BAR_MEM32;
		} else if ((lo & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64 &&
			   i + 1 < PCI_NUM_BARS) {
			bar->kind = PCI_BAR_MEM64;
		} else {
			set_error(err, errlen, "BAR %u has a reserved memory type (0x%x)", i, lo);
			return -1;
		}
		bar->prefetchable = bar->kind != PCI_BAR_IO && (lo & BAR_MEM_PREFETCH);
		bar->size = sizes[i];
		if (!is_pow2(bar->size) || bar->size < (bar->kind == PCI_BAR_IO ? 4 : 16)) {
			set_error(err, errlen, "BAR %u: size 0x%llx is no BAR size", i,
				  (unsigned long long)bar->size);
			return -1;
		}
		/* Sizing reads back the address bits above the size. */
		mask = ~(bar->size - 1);
		put32(c->vcfg, bar_reg(i), lo & (bar->kind == PCI_BAR_IO ? 0x3 : 0xf));
		put32(c->wmask, bar_reg(i), (uint32_t)mask &
		      (bar->kind == PCI_BAR_IO ? 0xfffffffcu : 0xfffffff0u));
		if (bar->kind == PCI_BAR_MEM64)
			put32(c->wmask, bar_reg(++i), mask >> 32);
	}
	c->rom_size = sizes[VFIO_BAR_ROM];
	emulate(c, PCI_ROM_ADDRESS, 4, 0xff);
	if (c->rom_size) {
		if (!is_pow2(c->rom_size) || c->rom_size < 2048) {
			set_error(err, errlen, "ROM: size 0x%llx is no ROM size",
				  (unsigned long long)c->rom_size);
			return -1;
		}
		put32(c->wmask, PCI_ROM_ADDRESS,
		      ((uint32_t)~(c->rom_size - 1) & ROM_ADDRESS_MASK) | PCI_ROM_ENABLE);
	}
	return 0;
}

static bool keep_msi(struct vfio_config *c, const uint8_t *raw, uint8_t off)
{
	uint16_t ctrl = pci_get_u16(raw, off + MSI_CTRL);

	c->msi = off;
	c->msi_64 = ctrl & MSI_CTRL_64BIT;
	c->msi_maskable = ctrl & MSI_CTRL_MASKABLE;
	if (off + msi_len(c) > PCI_CFG_SIZE) {
		c->msi = 0;
		return false;
	}
	/* All of it is ursa's: one vector (Multiple Message Capable 0),
	 * delivered through KVM. */
	emulate(c, off, msi_len(c), 0xff);
	c->vcfg[off] = PCI_CAP_ID_MSI;
	pci_set_u16(c->vcfg, off + MSI_CTRL, ctrl & (MSI_CTRL_64BIT | MSI_CTRL_MASKABLE));
	pci_set_u16(c->wmask, off + MSI_CTRL, MSI_CTRL_ENABLE);
	put32(c->wmask, off + MSI_ADDR_LO, 0xfffffffc);
	if (c->msi_64)
		put32(c->wmask, off + MSI_ADDR_LO + 4, 0xffffffff);
	pci_set_u16(c->wmask, msi_data_off(c), 0xffff);
	if (c->msi_maskable)
		put32(c->wmask, msi_mask_off(c), 0x1);
	return true;
}

static bool keep_msix(struct vfio_config *c, const uint8_t *raw, uint8_t off,
		      unsigned int max_vectors)
{
	uint16_t ctrl;
	uint32_t table, pba;
	unsigned int n;
	const struct pci_bar *tb, *pb;

	/* The registers must lie inside raw, the BIRs name real BARs. */
	if (off + 12 > PCI_CFG_SIZE || !max_vectors)
		return false;
	ctrl = pci_get_u16(raw, off + MSIX_CTRL);
	table = pci_get_u32(raw, off + MSIX_TABLE);
	pba = pci_get_u32(raw, off + MSIX_PBA);
	n = (ctrl & MSIX_CTRL_TABLE_SIZE) + 1;
	if ((table & MSIX_BIR_MASK) >= PCI_NUM_BARS ||
	    (pba & MSIX_BIR_MASK) >= PCI_NUM_BARS)
		return false;
	tb = &c->bars[table & MSIX_BIR_MASK];
	pb = &c->bars[pba & MSIX_BIR_MASK];
	if (tb->kind == PCI_BAR_NONE || tb->kind == PCI_BAR_IO ||
	    pb->kind == PCI_BAR_NONE || pb->kind == PCI_BAR_IO ||
	    (table & ~MSIX_BIR_MASK) + 16ull * n > tb->size ||
	    (pba & ~MSIX_BIR_MASK) + 8ull * ((n + 63) / 64) > pb->size)
		return false;	/* a table ursa could not serve: hidden */
	c->msix = off;
	c->msix_vectors = n < max_vectors ? n : max_vectors;
	c->msix_table_bar = table & MSIX_BIR_MASK;
	c->msix_table_offset = table & ~MSIX_BIR_MASK;
	c->msix_pba_bar = pba & MSIX_BIR_MASK;
	c->msix_pba_offset = pba & ~MSIX_BIR_MASK;
	emulate(c, off + MSIX_CTRL, 2, 0xff);
	pci_set_u16(c->vcfg, off + MSIX_CTRL, c->msix_vectors - 1);
	pci_set_u16(c->wmask, off + MSIX_CTRL, MSIX_CTRL_WRITABLE);
	return true;
}

/*
 * The bytes of the device's capability at off that ursa reads or
 * emulates if it keeps it: its header and, for PM and PCIe, up to the
 * register it watches. 0 for a capability ursa does not keep.
 */
static unsigned int cap_claim_len(const uint8_t *raw, uint8_t off)
{
	uint16_t msi_ctrl;

	switch (raw[off]) {
	case PCI_CAP_ID_PM:
		return PM_CSR + 2;
	case PCI_CAP_ID_EXP:
		return EXP_DEVCTL + 2;
	case PCI_CAP_ID_MSI:
		msi_ctrl = pci_get_u16(raw, off + MSI_CTRL);
		return msi_len_of(msi_ctrl & MSI_CTRL_64BIT, msi_ctrl & MSI_CTRL_MASKABLE);
	case PCI_CAP_ID_MSIX:
		return MSIX_PBA + 4;
	}
	return 0;
}

/* [off, off + len) is inside config space and holds no byte of a kept
 * capability: one that overlaps another (a hostile or broken list) would
 * corrupt its ID, registers or link, so it is not kept. */
static bool unclaimed(const bool claimed[PCI_CFG_SIZE], unsigned int off,
		      unsigned int len)
{
	if (!len || off + len > PCI_CFG_SIZE)
		return false;
	for (unsigned int i = off; i < off + len; i++)
		if (claimed[i])
			return false;
	return true;
}

/*
 * Walk the device's capability list (bounded, loops cut) and chain the
 * ones ursa supports in the emulated next pointers; the others stay in
 * config space, unlisted.
 */
static void setup_capabilities(struct vfio_config *c, const uint8_t *raw,
			       unsigned int max_msix_vectors)
{
	bool seen[PCI_CFG_SIZE / 4] = { false };
	bool claimed[PCI_CFG_SIZE] = { false };
	uint8_t *link = &c->vcfg[PCI_CAPABILITY_LIST];
	uint8_t ptr = raw[PCI_CAPABILITY_LIST] & 0xfc;

	emulate(c, PCI_CAPABILITY_LIST, 8, 0xff);	/* and reserved 0x35-0x3b */
	if (!(pci_get_u16(raw, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		ptr = 0;
	for (unsigned int hops = 0; ptr >= CAP_MIN_OFFSET && !seen[ptr / 4] &&
	     hops < CAP_MAX; hops++) {
		uint8_t id = raw[ptr];
		unsigned int len = cap_claim_len(raw, ptr);
		/* Unsupported, or over a kept one: left unlisted. */
		bool free = unclaimed(claimed, ptr, len);
		bool keep = false;

		seen[ptr / 4] = true;
		if (free && id == PCI_CAP_ID_PM && !c->pm)
			keep = (c->pm = ptr);
		else if (free && id == PCI_CAP_ID_EXP && !c->pcie)
			keep = (c->pcie = ptr);
		else if (free && id == PCI_CAP_ID_MSI && !c->msi)
			keep = keep_msi(c, raw, ptr);
		else if (free && id == PCI_CAP_ID_MSIX && !c->msix)
			keep = keep_msix(c, raw, ptr, max_msix_vectors);
		if (keep) {
			*link = ptr;
			link = &c->vcfg[ptr + 1];
			emulate(c, ptr + 1, 1, 0xff);
			*link = 0;
			memset(&claimed[ptr], true, len);
		}
		ptr = raw[ptr + 1] & 0xfc;
	}
	emulate(c, PCI_STATUS, 1, PCI_STATUS_CAP_LIST);
	if (c->vcfg[PCI_CAPABILITY_LIST])
		c->vcfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
}

int vfio_config_init(struct vfio_config *c, const struct vfio_config_io *io,
		     const struct vfio_config_hooks *hooks, uint8_t *vcfg,
		     uint8_t *wmask, const uint64_t sizes[VFIO_NR_BARS],
		     unsigned int max_msix_vectors, char *err, size_t errlen)
{
	uint8_t raw[PCI_CFG_SIZE];

	memset(c, 0, sizeof(*c));
	c->io = *io;
	c->hooks = *hooks;
	c->vcfg = vcfg;
	c->wmask = wmask;
	for (unsigned int off = 0; off < PCI_CFG_SIZE; off += 4) {
		if (!io->read(io->opaque, off, &raw[off], 4)) {
			set_error(err, errlen, "reading config space at 0x%x failed", off);
			return -1;
		}
	}
	if (pci_get_u16(raw, PCI_VENDOR_ID) == 0xffff) {
		set_error(err, errlen, "config space reads all ones (device gone?)");
		return -1;
	}
	if ((raw[PCI_HEADER_TYPE] & HEADER_TYPE_MASK) != 0) {
		set_error(err, errlen, "header type %u: only type 0 functions (no bridges) can be assigned",
			  raw[PCI_HEADER_TYPE] & HEADER_TYPE_MASK);
		return -1;
	}
	if (setup_bars(c, raw, sizes, err, errlen))
		return -1;
	/* The guest sees a single-function device. */
	emulate(c, PCI_HEADER_TYPE, 1, HEADER_MULTI_FUNCTION);
	/* CardBus CIS pointer: not a CardBus device. */
	emulate(c, 0x28, 4, 0xff);
	/* Interrupt line: firmware's note to the OS, kept by ursa. */
	emulate(c, PCI_INTERRUPT_LINE, 1, 0xff);
	c->wmask[PCI_INTERRUPT_LINE] = 0xff;
	setup_capabilities(c, raw, max_msix_vectors);
	memcpy(c->reset_vcfg, vcfg, PCI_CFG_SIZE);
	return 0;
}

/* Called with the span inside conventional config space. */
static void refresh_msi_pending(struct vfio_config *c, unsigned int off,
				unsigned int size)
{
	unsigned int pending = msi_mask_off(c) + 4;

	if (c->msi && c->msi_maskable && c->hooks.msi_pending &&
	    off < pending + 4 && off + size > pending)
		put32(c->vcfg, pending, c->hooks.msi_pending(c->hooks.opaque));
}

void vfio_config_read(struct vfio_config *c, unsigned int off, uint8_t *data,
		      unsigned int size)
{
	uint8_t dev[4] = { 0 };
	unsigned int n = 0;
	bool need_device = false, ok = true;

	if (size > 4)
		size = 4;
	for (unsigned int i = 0; i < size; i++) {
		if (off + i < PCI_CFG_SIZE) {
			n = i + 1;
			need_device |= c->emulated[off + i] != 0xff;
		}
	}
	if (n)
		refresh_msi_pending(c, off, n);
	if (need_device)
		ok = c->io.read(c->io.opaque, off, dev, n);
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t emu, d;

		if (o >= PCI_CFG_SIZE) {
			data[i] = 0;	/* no extended capabilities */
			continue;
		}
		emu = c->emulated[o];
		d = ok ? dev[i] : 0xff;
		data[i] = (d & ~emu) | (c->vcfg[o] & emu);
	}
}

/* The 16-bit register at reg, as the guest reads it. */
static uint16_t read16(struct vfio_config *c, unsigned int reg)
{
	uint8_t d[2];

	vfio_config_read(c, reg, d, 2);
	return pci_get_u16(d, 0);
}

unsigned int vfio_config_power_state(struct vfio_config *c)
{
	return c->pm ? read16(c, c->pm + PM_CSR) & PM_CSR_STATE : 0;
}

uint16_t vfio_config_command(struct vfio_config *c)
{
	return read16(c, PCI_COMMAND);
}

static bool overlaps(unsigned int off, unsigned int size, unsigned int reg,
		     unsigned int len)
{
	return off < reg + len && reg < off + size;
}

/* Forward the bytes of [off, off + n) that the device owns, in runs. */
static void forward(struct vfio_config *c, unsigned int off, const uint8_t *data,
		    unsigned int n)
{
	unsigned int i = 0;

	while (i < n) {
		uint8_t run[4];
		unsigned int start = i, len = 0;

		for (; i < n && c->emulated[off + i] != 0xff; i++, len++) {
			uint8_t emu = c->emulated[off + i];

			run[len] = (data[i] & ~emu) | (c->vcfg[off + i] & emu);
		}
		if (len)
			c->io.write(c->io.opaque, off + start, run, len);
		else
			i++;
	}
}

static void report_bars(struct vfio_config *c, unsigned int off, unsigned int size)
{
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		const struct pci_bar *bar = &c->bars[i];
		unsigned int len = bar->kind == PCI_BAR_MEM64 ? 8 : 4;

		if (bar->kind != PCI_BAR_NONE && overlaps(off, size, bar_reg(i), len))
			c->hooks.bar_written(c->hooks.opaque, i);
	}
	if (c->rom_size && overlaps(off, size, PCI_ROM_ADDRESS, 4))
		c->hooks.bar_written(c->hooks.opaque, VFIO_BAR_ROM);
}

/* The 16-bit register at reg as it is, with the bytes of this write in. */
static uint16_t merged16(struct vfio_config *c, unsigned int reg,
			 unsigned int off, const uint8_t *data, unsigned int size)
{
	uint8_t v[2];

	pci_set_u16(v, 0, read16(c, reg));
	for (unsigned int i = 0; i < size; i++)
		if (off + i >= reg && off + i < reg + 2)
			v[off + i - reg] = data[i];
	return pci_get_u16(v, 0);
}

/*
 * The writes whose meaning ursa must act on both before and after the
 * device sees them: COMMAND, the PM power state, an FLR.
 */
struct write_events {
	bool command, power, flr;
	uint16_t old_cmd, new_cmd;
	unsigned int old_state, new_state;
};

static void announce(struct vfio_config *c, const struct write_events *e,
		     bool before)
{
	void *o = c->hooks.opaque;

	if (e->command)
		c->hooks.command(o, e->old_cmd, e->new_cmd, before);
	if (e->power)
		c->hooks.power(o, e->old_state, e->new_state, before);
	if (e->flr)
		c->hooks.flr(o, before);
}

/*
 * After an FLR the function's registers are at their reset values, sticky
 * and HwInit ones aside (PCIe 6.0 6.6.2): COMMAND 0, BARs unassigned, MSI
 * and MSI-X off. vfio-pci does not show that: pci_try_reset_function()
 * saves the device's config space before the reset and restores it after,
 * and vfio-pci's virtual COMMAND keeps its decode bits. So the emulated
 * registers go back to their power-on image here and COMMAND is cleared
 * through the device. The interrupt line is firmware's note to the OS, not
 * the function's state, and stays.
 */
static void reset_function(struct vfio_config *c)
{
	const uint8_t zero[2] = { 0, 0 };

	for (unsigned int o = 0; o < PCI_CFG_SIZE; o++) {
		uint8_t w = c->wmask[o] & c->emulated[o];

		if (o != PCI_INTERRUPT_LINE)
			c->vcfg[o] = (c->vcfg[o] & ~w) | (c->reset_vcfg[o] & w);
	}
	forward(c, PCI_COMMAND, zero, sizeof(zero));
	if (c->msi)
		c->hooks.msi_written(c->hooks.opaque);
	if (c->msix)
		c->hooks.msix_control(c->hooks.opaque,
				      pci_get_u16(c->vcfg, c->msix + MSIX_CTRL));
}

void vfio_config_write(struct vfio_config *c, unsigned int off,
		       const uint8_t *data, unsigned int size)
{
	struct write_events e = { false };

	if (off >= PCI_CFG_SIZE)
		return;
	if (size > 4)
		size = 4;
	if (size > PCI_CFG_SIZE - off)
		size = PCI_CFG_SIZE - off;
	if (overlaps(off, size, PCI_COMMAND, 2)) {
		e.command = true;
		e.old_cmd = vfio_config_command(c);
		e.new_cmd = merged16(c, PCI_COMMAND, off, data, size);
	}
	if (c->pm && overlaps(off, size, c->pm + PM_CSR, 2)) {
		e.old_state = vfio_config_power_state(c);
		e.new_state = merged16(c, c->pm + PM_CSR, off, data, size) & PM_CSR_STATE;
		e.power = e.old_state != e.new_state;
	}
	if (c->pcie && overlaps(off, size, c->pcie + EXP_DEVCTL, 2))
		e.flr = merged16(c, c->pcie + EXP_DEVCTL, off, data, size) & EXP_DEVCTL_FLR;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t w = c->wmask[o] & c->emulated[o];

		c->vcfg[o] = (c->vcfg[o] & ~w) | (data[i] & w);
	}
	announce(c, &e, true);
	forward(c, off, data, size);
	if (e.flr)
		reset_function(c);
	announce(c, &e, false);
	report_bars(c, off, size);
	if (c->msi && overlaps(off, size, c->msi, msi_len(c)))
		c->hooks.msi_written(c->hooks.opaque);
	if (c->msix && overlaps(off, size, c->msix + MSIX_CTRL, 2))
		c->hooks.msix_control(c->hooks.opaque,
				      pci_get_u16(c->vcfg, c->msix + MSIX_CTRL));
}

void vfio_config_msi(const struct vfio_config *c, struct vfio_msi_state *s)
{
	uint16_t ctrl = c->msi ? pci_get_u16(c->vcfg, c->msi + MSI_CTRL) : 0;

	*s = (struct vfio_msi_state){ 0 };
	if (!c->msi)
		return;
	s->enabled = ctrl & MSI_CTRL_ENABLE;
	s->address = pci_get_u32(c->vcfg, c->msi + MSI_ADDR_LO);
	if (c->msi_64)
		s->address |= (uint64_t)pci_get_u32(c->vcfg, c->msi + MSI_ADDR_LO + 4) << 32;
	s->data = pci_get_u16(c->vcfg, msi_data_off(c));
	s->masked = c->msi_maskable && (pci_get_u32(c->vcfg, msi_mask_off(c)) & 1);
}
