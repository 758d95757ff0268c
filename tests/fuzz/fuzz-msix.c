// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X (devices/msix.c) as a guest drives it: table and PBA accesses of
 * any offset and size, message control through config space (the PCI
 * layer's write mask, then msix_config_written()) or directly (VFIO's
 * msix_set_control()), the device raising vectors, and resets.
 *
 * Input: the table size (1..32 vectors from one byte, or 1..256 from a
 * second one after a first one of 0xff: every vector costs system calls),
 * then operations, each an opcode byte and its operands. Everything is checked against a
 * model of PCIe 6.0 7.7.2: every table or PBA byte read is the model's
 * (entries as written, address bits 1:0 and vector control bits 31:1
 * reading 0, nothing beyond the table), a pending bit is set exactly by a
 * vector raised while enabled but masked and cleared when its mask state
 * changes, msix_notify() takes exactly the vectors of an enabled
 * function, the capability's read-only fields never change, and a reset
 * gives back the power-on state.
 *
 * Tables are kept between inputs (each eventfd costs a system call) and
 * reset before reuse; that the reset restores the power-on state is
 * checked too.
 */
#include "fuzz.h"
#include "devices/msix.h"
#include "devices/pci.h"
#include "vmm/bytes.h"
#include "vmm/irq.h"

#define CAP_LEN		12
#define CAP_CTRL	2
#define TABLE_OFFSET	0x4000
#define PBA_OFFSET	0x5000
#define CTRL_BITS	(MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)

/* Tables kept for reuse, at most this many vectors (eventfds) in all. */
#define CACHE_SLOTS	8
#define CACHE_VECTORS	512

struct cached {
	struct msix m;
	struct pci_device pci;
	unsigned int n;		/* 0: slot unused */
	unsigned long last_use;
};

static struct irq_router router;
static struct cached cache[CACHE_SLOTS];
static unsigned long uses;

/* The model. */
static uint32_t dw[MSIX_MAX_VECTORS][4];
static bool pending[MSIX_MAX_VECTORS], live[MSIX_MAX_VECTORS];
static uint16_t ctrl;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_CHECK(!irq_router_init(&router, -1, false));
	return 0;
}

static unsigned int cached_vectors(void)
{
	unsigned int total = 0;

	for (unsigned int i = 0; i < CACHE_SLOTS; i++)
		total += cache[i].n;
	return total;
}

static void evict(struct cached *c)
{
	msix_destroy(&c->m);
	c->n = 0;
}

/* A table of n vectors, as msix_init() leaves it. */
static struct cached *get_table(unsigned int n)
{
	struct cached *c = NULL, *oldest;
	char err[256];

	for (unsigned int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].n == n)
			c = &cache[i];
	if (c) {
		msix_reset(&c->m);
		c->last_use = ++uses;
		return c;
	}
	for (;;) {
		oldest = NULL;
		for (unsigned int i = 0; i < CACHE_SLOTS; i++) {
			if (!cache[i].n) {
				c = &cache[i];
				continue;
			}
			if (!oldest || cache[i].last_use < oldest->last_use)
				oldest = &cache[i];
		}
		if (c && cached_vectors() + n <= CACHE_VECTORS)
			break;
		evict(oldest);
	}
	pci_device_init(&c->pci, "fuzz-msix", 0x1af4, 0x1042, 0, 0x1af4, 2);
	FUZZ_CHECK(!msix_init(&c->m, &c->pci, n, 0, TABLE_OFFSET, PBA_OFFSET,
			      &router, err, sizeof(err)));
	c->n = n;
	c->last_use = ++uses;
	return c;
}

static void model_reset(unsigned int n)
{
	ctrl = 0;
	for (unsigned int v = 0; v < n; v++) {
		dw[v][MSIX_ADDR_LO] = dw[v][MSIX_ADDR_HI] = dw[v][MSIX_DATA] = 0;
		dw[v][MSIX_VECTOR_CTRL] = 1;
		pending[v] = live[v] = false;
	}
}

/* Delivery follows enable, function mask and the vector's mask; a change
 * either way empties the pending bit (raised while masked: delivered when
 * unmasked; raised while live: already delivered). */
static void model_sync(unsigned int n)
{
	for (unsigned int v = 0; v < n; v++) {
		bool now = (ctrl & MSIX_CTRL_ENABLE) && !(ctrl & MSIX_CTRL_MASKALL) &&
			   !(dw[v][MSIX_VECTOR_CTRL] & 1);

		if (now != live[v])
			pending[v] = false;
		live[v] = now;
	}
}

static uint8_t model_table_byte(unsigned int n, uint64_t off)
{
	uint64_t v = off / MSIX_ENTRY_SIZE;

	if (v >= n)
		return 0;
	return dw[v][(off % MSIX_ENTRY_SIZE) / 4] >> (8 * (off % 4));
}

static void model_table_write(unsigned int n, uint64_t off, uint8_t b)
{
	uint64_t v = off / MSIX_ENTRY_SIZE;
	uint32_t *d;
	unsigned int shift = 8 * (off % 4);

	if (v >= n)
		return;
	d = &dw[v][(off % MSIX_ENTRY_SIZE) / 4];
	*d = (*d & ~(0xffu << shift)) | (uint32_t)b << shift;
	dw[v][MSIX_ADDR_LO] &= ~3u;
	dw[v][MSIX_VECTOR_CTRL] &= 1;
}

static uint8_t model_pba_byte(unsigned int n, uint64_t off)
{
	uint8_t b = 0;

	for (unsigned int bit = 0; bit < 8; bit++)
		if (off * 8 + bit < n && pending[off * 8 + bit])
			b |= 1 << bit;
	return b;
}

static void check_table(struct msix *m, unsigned int n)
{
	for (uint64_t off = 0; off < (uint64_t)n * MSIX_ENTRY_SIZE + 8; off += 8) {
		uint8_t d[8];

		msix_table_read(m, off, d, 8);
		for (unsigned int i = 0; i < 8; i++)
			FUZZ_CHECK(d[i] == model_table_byte(n, off + i));
	}
}

/* The capability as msix_init() wrote it, message control aside. */
static void check_capability(const struct cached *c)
{
	const uint8_t *cfg = c->pci.cfg;
	uint8_t cap = c->m.cap;

	FUZZ_CHECK(cfg[cap] == 0x11);
	FUZZ_CHECK((pci_get_u16(cfg, cap + CAP_CTRL) & ~CTRL_BITS) == c->n - 1);
	FUZZ_CHECK(pci_get_u32(cfg, cap + 4) == TABLE_OFFSET);
	FUZZ_CHECK(pci_get_u32(cfg, cap + 8) == PBA_OFFSET);
}

/* A guest config write inside the capability, as pci.c does it. */
static void config_write(struct cached *c, struct fuzz_input *in)
{
	unsigned int off = c->m.cap + fz_u8(in) % CAP_LEN;
	unsigned int size = 1u << (fz_u8(in) % 3);
	uint8_t data[4];

	le_store(data, size, fz_u32(in));
	for (unsigned int i = 0; i < size; i++) {
		uint8_t w = c->pci.wmask[off + i];

		c->pci.cfg[off + i] = (c->pci.cfg[off + i] & ~w) | (data[i] & w);
	}
	msix_config_written(&c->m, off, size);
	if (off < c->m.cap + CAP_CTRL + 2 && off + size > c->m.cap + CAP_CTRL)
		ctrl = pci_get_u16(c->pci.cfg, c->m.cap + CAP_CTRL) & CTRL_BITS;
}

static void step(struct cached *c, struct fuzz_input *in)
{
	struct msix *m = &c->m;
	unsigned int n = c->n, size, v;
	uint64_t off;
	uint8_t d[8];

	/* Weighted: a reset costs a system call per vector. */
	switch (fz_u8(in) % 16) {
	case 0 ... 2:
		off = fz_u16(in);
		size = fz_access_size(in);
		memset(d, 0xa5, sizeof(d));
		msix_table_read(m, off, d, size);
		for (unsigned int i = 0; i < 8; i++)
			FUZZ_CHECK(d[i] == (i < size ? model_table_byte(n, off + i) : 0xa5));
		break;
	case 3 ... 6:
		off = fz_u16(in);
		size = fz_access_size(in);
		le_store(d, 8, fz_u64(in));
		msix_table_write(m, off, d, size);
		for (unsigned int i = 0; i < size; i++)
			model_table_write(n, off + i, d[i]);
		break;
	case 7 ... 8:
		off = fz_u8(in);
		size = fz_access_size(in);
		memset(d, 0xa5, sizeof(d));
		msix_pba_read(m, off, d, size);
		for (unsigned int i = 0; i < 8; i++)
			FUZZ_CHECK(d[i] == (i < size ? model_pba_byte(n, off + i) : 0xa5));
		break;
	case 9 ... 10:
		config_write(c, in);
		break;
	case 11:
		ctrl = fz_u16(in);
		msix_set_control(m, ctrl);
		ctrl &= CTRL_BITS;
		break;
	case 12 ... 14:
		v = fz_u16(in) % (n + 2);
		FUZZ_CHECK(msix_notify(m, v) == ((ctrl & MSIX_CTRL_ENABLE) && v < n));
		if ((ctrl & MSIX_CTRL_ENABLE) && v < n && !live[v])
			pending[v] = true;
		break;
	default:
		msix_reset(m);
		model_reset(n);
		break;
	}
	model_sync(n);
	FUZZ_CHECK(msix_enabled(m) == !!(ctrl & MSIX_CTRL_ENABLE));
	check_capability(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint8_t first = fz_u8(&in);
	unsigned int n = 1 + (first == 0xff ? fz_u8(&in) : first % 32);
	struct cached *c = get_table(n);

	/* Fresh or reset: the power-on state (looked at directly: the
	 * operations check the accessors). */
	model_reset(n);
	FUZZ_CHECK(c->m.nr_vectors == n && !c->m.ctrl);
	FUZZ_CHECK(pci_get_u16(c->pci.cfg, c->m.cap + CAP_CTRL) == n - 1);
	for (unsigned int v = 0; v < n; v++) {
		const struct msix_entry *e = &c->m.entries[v];

		FUZZ_CHECK(!memcmp(e->dw, dw[v], sizeof(e->dw)));
		FUZZ_CHECK(!e->vec.live && !e->vec.attached && e->vec.efd >= 0);
	}

	while (fz_more(&in))
		step(c, &in);
	check_table(&c->m, n);
	return 0;
}
