// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile: configuration space. Finds the devices, then reads and writes
 * every offset with every size through ECAM (PCIe 6.0 7.2.2) and
 * configuration mechanism #1 (PCI Local Bus 3.0 3.2.2.3.2) on every
 * device, and samples every absent function and bus.
 */
#include "hostile.h"

#define CF8			0xcf8
#define CFC			0xcfc
#define CF8_ENABLE		0x80000000u
/* 3.2.2.3.2: bits 30:24 are reserved and bits 1:0 read-only, all read 0. */
#define CF8_WRITABLE		0x80fffffcu

struct hdev hdevs[HOSTILE_DEVICES];
static uint8_t present[32];	/* per slot, a bit per function */

static const unsigned int sizes[] = { 1, 2, 4, 8 };

static uint32_t cf8_address(unsigned int bus, unsigned int slot,
			    unsigned int fn, unsigned int off)
{
	return CF8_ENABLE | bus << 16 | slot << 11 | fn << 8 | (off & 0xfc);
}

void cfg_set_bar(const struct hdev *d, uint32_t addr)
{
	cfg_write(d, CFG_BAR0, 4, addr);
}

void cfg_set_command(const struct hdev *d, uint16_t cmd)
{
	cfg_write(d, PCI_COMMAND, 2, cmd);
}

/* Byte off of d's config space as the device has it now; beyond the 256
 * bytes of a conventional function, 0: no extended capabilities (PCIe 6.0
 * 7.6: an all-zero header at 0x100 says there are none). */
static uint8_t snap_byte(const uint8_t *cfg, unsigned int off)
{
	return off < CFG_SIZE ? cfg[off] : 0;
}

static uint64_t snap_value(const uint8_t *cfg, unsigned int off, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = size; i--;)
		v = v << 8 | snap_byte(cfg, off + i);
	return v;
}

/* 6.7: walk the capability list (at most 48 fit) for the virtio and MSI-X
 * structures this stub needs. */
static void parse_caps(struct hdev *d)
{
	uint8_t cap = d->cfg[CFG_CAP_PTR];
	unsigned int seen = 0;

	for (unsigned int n = 0; cap && n < 48; n++, cap = d->cfg[cap + 1]) {
		uint32_t off;

		if (cap < 0x40 || cap > CFG_SIZE - 20)
			hostile_fail("slot %u: capability at %x", d->slot, cap);
		off = bytes_le(&d->cfg[cap + 8], 4);

		if (d->cfg[cap] == CAP_ID_MSIX) {
			d->msix_cap = cap;
			d->msix_vectors = (bytes_le(&d->cfg[cap + 2], 2) & 0x7ff) + 1;
			d->msix_table = bytes_le(&d->cfg[cap + 4], 4);
			d->msix_pba = bytes_le(&d->cfg[cap + 8], 4);
			/* 6.8.2.4-5: the BIR in bits 2:0; this stub knows BAR 0. */
			if ((d->msix_table | d->msix_pba) & 7)
				hostile_fail("slot %u: MSI-X outside BAR 0", d->slot);
			continue;
		}
		if (d->cfg[cap] != CAP_ID_VENDOR)
			continue;
		seen |= 1u << (d->cfg[cap + 3] & 31);
		switch (d->cfg[cap + 3]) {
		case VIRTIO_CAP_COMMON:
			d->common = off;
			break;
		case VIRTIO_CAP_ISR:
			d->isr = off;
			break;
		case VIRTIO_CAP_DEVICE:
			d->devcfg = off;
			break;
		case VIRTIO_CAP_NOTIFY:
			d->notify = off;
			d->notify_mult = bytes_le(&d->cfg[cap + 16], 4);
			break;
		}
	}
	if (!d->msix_cap || (~seen & (1u << VIRTIO_CAP_COMMON | 1u << VIRTIO_CAP_ISR |
				       1u << VIRTIO_CAP_DEVICE | 1u << VIRTIO_CAP_NOTIFY)))
		hostile_fail("slot %u: virtio or MSI-X capabilities missing", d->slot);
}

/*
 * Size BAR 0 the way firmware does (6.2.5.1): all ones, read back the
 * address bits that stuck. The type bits stay (32-bit, non-prefetchable
 * memory here), and BARs 1-5, which the function does not implement, are
 * hardwired to zero.
 */
static void size_bars(struct hdev *d)
{
	uint32_t v;

	expect(bytes_le(&d->cfg[PCI_COMMAND], 2), 0,
	       "slot %u: COMMAND after reset (6.2.2)", d->slot);
	d->home = bytes_le(&d->cfg[CFG_BAR0], 4) & ~0xfu;
	cfg_set_bar(d, ~0u);
	v = cfg_read(d, CFG_BAR0, 4);
	expect(v & 0xf, d->cfg[CFG_BAR0] & 0xf, "slot %u: BAR 0 type bits", d->slot);
	d->bar_size = ~(v & ~0xfu) + 1;
	if (d->bar_size < 16 || (d->bar_size & (d->bar_size - 1)) ||
	    d->home & (d->bar_size - 1))
		hostile_fail("slot %u: BAR 0 sized %x at %x", d->slot, d->bar_size, d->home);
	cfg_set_bar(d, d->home);
	expect(cfg_read(d, CFG_BAR0, 4), bytes_le(&d->cfg[CFG_BAR0], 4),
	       "slot %u: BAR 0 restored", d->slot);
	for (unsigned int bar = 1; bar < 6; bar++) {
		cfg_write(d, CFG_BAR0 + 4 * bar, 4, ~0u);
		expect(cfg_read(d, CFG_BAR0 + 4 * bar, 4), 0,
		       "slot %u: unimplemented BAR %u", d->slot, bar);
	}
}

static void add_device(unsigned int slot, unsigned int *found)
{
	struct hdev *d;

	if (*found == HOSTILE_DEVICES)
		hostile_fail("more than %u devices on bus 0", HOSTILE_DEVICES);
	d = &hdevs[(*found)++];
	d->slot = slot;
	d->ecam = ecam(slot, 0, 0);
	for (unsigned int off = 0; off < CFG_SIZE; off++)
		d->cfg[off] = cfg_read(d, off, 1);
	/* 6.2.1: header type 0, single-function (bit 7 clear). */
	expect(d->cfg[CFG_HEADER_TYPE], 0, "slot %u: header type", slot);
	parse_caps(d);
	size_bars(d);
}

/*
 * Every function of bus 0 through both mechanisms, which must agree: an
 * absent one reads all ones (a master abort, PCI Local Bus 3.0 6.2.1:
 * 0xffff is no valid vendor ID); ursa's devices are single-function
 * virtio-blk ones, so functions 1-7 are absent (header type bit 7 clear).
 */
uint64_t phase_discover(uint64_t arg)
{
	unsigned int found = 0;

	(void)arg;
	for (unsigned int slot = 0; slot < 32; slot++) {
		for (unsigned int fn = 0; fn < 8; fn++) {
			uint32_t id = mmio_read32(ecam(slot, fn, 0));

			outl(CF8, cf8_address(0, slot, fn, 0));
			expect(inl(CFC), id, "%02x.%u: ID through CF8 and ECAM", slot, fn);
			if (id == ~0u)
				continue;
			present[slot] |= 1 << fn;
			expect(id, VIRTIO_BLK_ID, "%02x.%u: ID of a present function", slot, fn);
			expect(fn, 0, "%02x.%u: a second function", slot, fn);
			add_device(slot, &found);
		}
	}
	if (found != HOSTILE_DEVICES)
		hostile_fail("%u virtio-blk devices, want %u (--disk twice)", found,
			     HOSTILE_DEVICES);
	return 0;
}

/* Every dword, every data port byte and size through 0xCFC-0xCFF. An
 * access that runs past 0xCFF is no config cycle, and ursa's bus answers
 * one straddling the end of a device's ports as nobody's (vmm/bus.h). */
static void cf8_read_sweep(const struct hdev *d)
{
	for (unsigned int dw = 0; dw < CFG_SIZE; dw += 4) {
		outl(CF8, cf8_address(0, d->slot, 0, dw));
		for (unsigned int port = 0; port < 4; port++) {
			for (unsigned int i = 0; i < 3; i++) {
				unsigned int size = sizes[i];
				uint64_t want = port + size <= 4 ?
					snap_value(d->cfg, dw + port, size) : ones(size);

				expect(pio_read(CFC + port, size), want,
				       "slot %u: CF8 read %x+%u size %u", d->slot, dw, port, size);
			}
		}
	}
}

/* Every offset of the function's 4 KiB with every size, an 8-byte read
 * taken whole by ursa; none crossing into the next function. */
static void ecam_read_sweep(const struct hdev *d)
{
	for (unsigned int off = 0; off < ECAM_FN_SIZE; off++) {
		for (unsigned int i = 0; i < 4; i++) {
			unsigned int size = sizes[i];

			if (off + size > ECAM_FN_SIZE)
				continue;
			expect(cfg_read(d, off, size), snap_value(d->cfg, off, size),
			       "slot %u: ECAM read %x size %u", d->slot, off, size);
		}
	}
	/*
	 * Crossing into function 1 (absent): KVM splits an access at a page
	 * boundary, so the low half is this function's extended space (0)
	 * and the high half function 1's master abort.
	 */
	expect(mmio_read64(d->ecam + ECAM_FN_SIZE - 4), 0xffffffff00000000ull,
	       "slot %u: ECAM read across into function 1", d->slot);
}

/* Write v in every size at every offset through ECAM (from 0 to end) and
 * through every data port; a write running past 0xCFF goes nowhere. */
static void write_sweep(const struct hdev *d, unsigned int end, uint64_t v)
{
	for (unsigned int off = 0; off < end; off++)
		for (unsigned int i = 0; i < 4; i++)
			if (off + sizes[i] <= ECAM_FN_SIZE)
				mmio_write(d->ecam + off, sizes[i], v);
	for (unsigned int dw = 0; dw < CFG_SIZE; dw += 4) {
		for (unsigned int port = 0; port < 4; port++) {
			for (unsigned int i = 0; i < 3; i++) {
				outl(CF8, cf8_address(0, d->slot, 0, dw));
				pio_write(CFC + port, sizes[i], v);
			}
		}
	}
}

/*
 * The bits a guest may change in d's header, as ursa implements it:
 * COMMAND's I/O, memory, bus master and interrupt disable (6.2.2), cache
 * line size and latency timer (6.2.4), BAR 0's address bits (6.2.5.1),
 * the interrupt line (6.2.4), MSI-X enable and function mask (6.8.2.3);
 * STATUS's error bits are RW1C (6.2.3). Everything else is read-only:
 * IDs, class, header type, pointers, interrupt pin, capability bodies.
 */
static void writable_model(const struct hdev *d, uint8_t *wm, uint8_t *w1c)
{
	uint32_t bar_mask = ~(d->bar_size - 1) & ~0xfu;
	uint16_t cmd = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_INTX_OFF;

	for (unsigned int i = 0; i < CFG_SIZE; i++)
		wm[i] = w1c[i] = 0;
	wm[PCI_COMMAND] = cmd;
	wm[PCI_COMMAND + 1] = cmd >> 8;
	wm[CFG_CACHE_LINE] = wm[CFG_LATENCY] = wm[CFG_INT_LINE] = 0xff;
	for (unsigned int i = 0; i < 4; i++)
		wm[CFG_BAR0 + i] = bar_mask >> (8 * i);
	wm[d->msix_cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
	w1c[CFG_STATUS] = PCI_STATUS_W1C & 0xff;
	w1c[CFG_STATUS + 1] = PCI_STATUS_W1C >> 8;
}

static void expect_config(const struct hdev *d, const uint8_t *want, const char *after)
{
	for (unsigned int off = 0; off < CFG_SIZE; off++)
		expect(cfg_read(d, off, 1), want[off], "slot %u: config byte %x after %s",
		       d->slot, off, after);
	for (unsigned int off = CFG_SIZE; off < ECAM_FN_SIZE; off += 0x40)
		expect(cfg_read(d, off, 8), 0, "slot %u: extended space %x after %s",
		       d->slot, off, after);
}

/* Put back what ursa's firmware role had set, then nothing may differ. */
static void restore_header(const struct hdev *d)
{
	cfg_write(d, CFG_CACHE_LINE, 2, bytes_le(&d->cfg[CFG_CACHE_LINE], 2));
	cfg_write(d, CFG_INT_LINE, 1, d->cfg[CFG_INT_LINE]);
	cfg_write(d, d->msix_cap + 2, 2, bytes_le(&d->cfg[d->msix_cap + 2], 2));
	cfg_set_bar(d, d->home);
	cfg_set_command(d, bytes_le(&d->cfg[PCI_COMMAND], 2));
	expect_config(d, d->cfg, "restoring it");
}

/*
 * All ones, then all zeros, everywhere: only the writable bits take them
 * (BAR 0, COMMAND and MSI-X control move the device and its vectors about
 * meanwhile), RW1C bits clear on ones, reserved and read-only bytes keep
 * their values, and extended space stays zero.
 */
static void config_write_sweeps(const struct hdev *d)
{
	uint8_t wm[CFG_SIZE], w1c[CFG_SIZE], want[CFG_SIZE];

	writable_model(d, wm, w1c);
	write_sweep(d, ECAM_FN_SIZE, ~0ull);
	for (unsigned int i = 0; i < CFG_SIZE; i++)
		want[i] = ((d->cfg[i] & ~wm[i]) | wm[i]) & ~w1c[i];
	expect_config(d, want, "writing all ones");
	write_sweep(d, CFG_SIZE, 0);
	for (unsigned int i = 0; i < CFG_SIZE; i++)
		want[i] = d->cfg[i] & ~wm[i] & ~w1c[i];
	expect_config(d, want, "writing zeros");
	restore_header(d);
}

/*
 * CONFIG_ADDRESS itself (3.2.2.3.2): reserved bits read 0; only a dword
 * access is the register, other sizes are plain I/O to nobody (all
 * ones, dropped); with the enable bit clear or a bus that does not
 * exist, CONFIG_DATA reads all ones and drops writes.
 */
static void cf8_register(const struct hdev *d)
{
	outl(CF8, ~0u);
	expect(inl(CF8), CF8_WRITABLE, "CF8 after writing all ones");
	outw(CF8, 0);
	outb(CF8 + 2, 0);
	expect(inl(CF8), CF8_WRITABLE, "CF8 after word and byte writes");
	expect(inw(CF8), 0xffff, "CF8 word read");
	expect(inb(CF8 + 1), 0xff, "CF9 byte read");
	expect(inw(CF8 + 3), 0xffff, "word read across CF8's end");

	outl(CF8, cf8_address(0, d->slot, 0, 0) & ~CF8_ENABLE);
	expect(inl(CFC), ~0u, "CONFIG_DATA with the enable bit clear");
	outl(CF8, cf8_address(0, d->slot, 0, CFG_CACHE_LINE) & ~CF8_ENABLE);
	outb(CFC, 0x5a);
	for (unsigned int bus = 1; bus < 256; bus += 127) {
		outl(CF8, cf8_address(bus, d->slot, 0, 0));
		expect(inl(CFC), ~0u, "CONFIG_DATA on bus %u", bus);
		outl(CF8, cf8_address(bus, d->slot, 0, CFG_CACHE_LINE));
		outb(CFC, 0xa5);
	}
	expect(cfg_read(d, CFG_CACHE_LINE, 1), d->cfg[CFG_CACHE_LINE],
	       "cache line size after writes that were no config cycles");
}

/* Absent functions: reads at a spread of offsets and sizes are all ones
 * (6.2.1), writes vanish. Past bus 0's 1 MiB of ECAM nothing decodes. */
static void absent_sweep(void)
{
	static const unsigned int offs[] = { 0, 2, 3, 0x0e, 0x3d, 0xff, 0x100, 0xff8, 0xffc };

	for (unsigned int slot = 0; slot < 32; slot++) {
		for (unsigned int fn = 0; fn < 8; fn++) {
			if (present[slot] & (1 << fn))
				continue;
			mmio_write16(ecam(slot, fn, PCI_COMMAND), 0xffff);
			mmio_write32(ecam(slot, fn, CFG_BAR0), ~0u);
			mmio_write64(ecam(slot, fn, CFG_CACHE_LINE), ~0ull);
			for (unsigned int o = 0; o < sizeof(offs) / sizeof(offs[0]); o++)
				for (unsigned int i = 0; i < 4; i++)
					if (offs[o] + sizes[i] <= ECAM_FN_SIZE)
						expect(mmio_read(ecam(slot, fn, offs[o]), sizes[i]),
						       ones(sizes[i]), "%02x.%u absent: read %x size %u",
						       slot, fn, offs[o], sizes[i]);
		}
	}
	for (unsigned int bus = 1; bus < 256; bus += 127) {
		mmio_write32(ECAM_BASE + ((uint64_t)bus << 20) + CFG_BAR0, ~0u);
		expect(mmio_read64(ECAM_BASE + ((uint64_t)bus << 20)), ~0ull, "ECAM of bus %u", bus);
	}
}

static void rep_insl(uint16_t port, void *buf, uint64_t n)
{
	__asm__ volatile("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static void rep_insw(uint16_t port, void *buf, uint64_t n)
{
	__asm__ volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static void rep_outsl(uint16_t port, const void *buf, uint64_t n)
{
	__asm__ volatile("rep outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static void rep_movsl(void *dst, uint64_t src, uint64_t n)
{
	__asm__ volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void rep_stosq(uint64_t dst, uint64_t v, uint64_t n)
{
	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

/*
 * String I/O and string MMIO (SDM Vol. 2B INS, OUTS, MOVS, STOS): every
 * element is an access of its own, the whole string may be longer than a
 * page, and each element gets the answer a single access would.
 */
static void strings(const struct hdev *d)
{
	static uint32_t buf[1200];
	const uint32_t out[3] = { 0x1111, 0x2222, 0x3333 };

	outl(CF8, cf8_address(0, d->slot, 0, 0));
	rep_insl(CFC, buf, 16);
	for (unsigned int i = 0; i < 16; i++)
		expect(buf[i], VIRTIO_BLK_ID, "rep insl from CONFIG_DATA, element %u", i);
	rep_insw(UNCLAIMED_PORT, buf, 2 * 1200);
	for (unsigned int i = 0; i < 1200; i++)
		expect(buf[i], ~0u, "rep insw from nobody, dword %u", i);
	outl(CF8, cf8_address(0, d->slot, 0, CFG_CACHE_LINE));
	rep_outsl(CFC, out, 3);
	expect(cfg_read(d, CFG_CACHE_LINE, 2), 0x3333, "rep outsl: the last element wins");
	cfg_write(d, CFG_CACHE_LINE, 2, bytes_le(&d->cfg[CFG_CACHE_LINE], 2));

	rep_movsl(buf, d->ecam, CFG_SIZE / 4);
	for (unsigned int i = 0; i < CFG_SIZE / 4; i++)
		expect(buf[i], bytes_le(&d->cfg[4 * i], 4), "rep movsl from ECAM, dword %u", i);
	rep_stosq(ecam(d->slot, 5, 0), 0, 600);	/* functions 5 and 6 */
	expect(mmio_read64(ecam(d->slot, 5, 0)), ~0ull, "rep stosq into an absent function");
	expect(mmio_read64(ecam(d->slot, 6, 0)), ~0ull, "rep stosq into the next one");
}

uint64_t phase_config(uint64_t arg)
{
	(void)arg;
	cf8_register(&hdevs[0]);
	strings(&hdevs[0]);
	for (unsigned int i = 0; i < HOSTILE_DEVICES; i++) {
		const struct hdev *d = &hdevs[i];

		cf8_read_sweep(d);
		ecam_read_sweep(d);
		config_write_sweeps(d);
		cfg_set_command(d, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	}
	absent_sweep();
	return 0;
}
