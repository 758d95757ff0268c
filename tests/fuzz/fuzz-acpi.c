// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest-physical layout (vmm/layout.c), the e820 map (vmm/boot/e820.c)
 * and the ACPI tables (vmm/boot/acpi.c, aml.c) from random configurations.
 *
 * Input: a mode byte, then either
 * - a VM configuration as 'ursa run' accepts it (memory from 8M, in 4K
 *   units, up to 2^64 - 4K; MAXPHYADDR 32..52; 1..255 vCPUs; assigned
 *   devices' slots), taken through layout_compute(), e820_build() and
 *   acpi_build() as vm.c, linux.c and platform.c do; or
 * - an ACPI platform with any of its fields replaced by input, and any
 *   table address and buffer size, taken through acpi_build() alone.
 *
 * Checked: layout_compute() accepts exactly the memory sizes whose RAM
 * ends at or below 2^MAXPHYADDR, and its layout holds exactly that memory,
 * [0, 3G) first and the rest from 4G, with the 64-bit PCI window above RAM
 * and below the limit; the e820 map is sorted, disjoint, describes exactly
 * the layout's RAM but the legacy hole, and reserves the legacy area and
 * ECAM (and a shorter table is a prefix of it); acpi_build() builds tables
 * for every configuration ursa accepts, and whenever it succeeds, the
 * tables are what an OS expects (RSDP -> XSDT -> FADT, MADT, MCFG; FADT ->
 * FACS, DSDT; every table inside the used bytes, disjoint from the others,
 * with a valid checksum; one local APIC per vCPU; the platform's ports,
 * IRQ and addresses), nothing is written past the bytes it says it used,
 * and any failure is one line of message.
 */
#include "fuzz.h"
#include "devices/acpi_pm.h"
#include "vmm/boot/acpi.h"
#include "vmm/boot/e820.h"
#include "vmm/bytes.h"
#include "vmm/config.h"
#include "vmm/layout.h"

#define G		(1ull << 30)
#define CANARY		0x5a
#define ERR_LEN		256

static uint8_t buf[ACPI_TABLES_SIZE], canary[ACPI_TABLES_SIZE];

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The tables found so far, as [offset, offset + length) in buf. */
struct found {
	uint64_t off[8], len[8];
	unsigned int n;
};

static void add_found(struct found *f, uint64_t off, uint64_t len)
{
	for (unsigned int i = 0; i < f->n; i++)
		FUZZ_CHECK(off + len <= f->off[i] || f->off[i] + f->len[i] <= off);
	FUZZ_CHECK(f->n < 8);
	f->off[f->n] = off;
	f->len[f->n++] = len;
}

/* The table at guest address addr, with signature sig: inside the used
 * bytes, its checksum right (FACS has none). */
static const uint8_t *table(struct found *f, uint64_t gpa, size_t used,
			    uint64_t addr, const char *sig)
{
	uint64_t off = addr - gpa, len;

	FUZZ_CHECK(addr >= gpa && off < used && used - off >= 36);
	len = le_load(buf + off + 4, 4);
	FUZZ_CHECK(len >= 36 && len <= used - off);
	FUZZ_CHECK(!memcmp(buf + off, sig, 4));
	if (strcmp(sig, "FACS"))
		FUZZ_CHECK(!sum(buf + off, len));
	add_found(f, off, len);
	return buf + off;
}

static void check_madt(const uint8_t *t, const struct acpi_platform *p)
{
	uint32_t len = le_load(t + 4, 4), off = 44;
	unsigned int cpus = 0, ioapics = 0;

	FUZZ_CHECK(le_load(t + 36, 4) == p->lapic_base);
	while (off < len) {
		const uint8_t *e = t + off;

		FUZZ_CHECK(len - off >= 2 && e[1] >= 2 && e[1] <= len - off);
		if (e[0] == 0) {
			FUZZ_CHECK(e[2] == cpus && e[3] == cpus);
			cpus++;
		} else if (e[0] == 1) {
			FUZZ_CHECK(e[2] == p->ioapic_id &&
				   le_load(e + 4, 4) == p->ioapic_base);
			ioapics++;
		}
		off += e[1];
	}
	FUZZ_CHECK(cpus == p->ncpus && ioapics == 1);
}

/* What an OS finds, starting from the RSDP at gpa. */
static void check_tables(const struct acpi_platform *p, uint64_t gpa,
			 size_t size, size_t used, uint64_t rsdp)
{
	struct found f = { .n = 0 };
	const uint8_t *xsdt, *fadt = NULL, *madt = NULL, *mcfg = NULL, *t;
	unsigned int entries;

	FUZZ_CHECK(rsdp == gpa && used >= 36 && used <= size);
	FUZZ_CHECK(!memcmp(buf + used, canary, size - used));
	FUZZ_CHECK(!memcmp(buf, "RSD PTR ", 8) && buf[15] == 2);
	FUZZ_CHECK(!sum(buf, 20) && !sum(buf, 36) && le_load(buf + 20, 4) == 36);
	add_found(&f, 0, 36);

	xsdt = table(&f, gpa, used, le_load(buf + 24, 8), "XSDT");
	entries = (le_load(xsdt + 4, 4) - 36) / 8;
	FUZZ_CHECK(entries == 3);
	for (unsigned int i = 0; i < entries; i++) {
		uint64_t addr = le_load(xsdt + 36 + 8 * i, 8);
		const uint8_t *s = buf + (addr - gpa);

		FUZZ_CHECK(addr >= gpa && addr - gpa < used && used - (addr - gpa) >= 4);
		if (!memcmp(s, "FACP", 4) && !fadt)
			fadt = table(&f, gpa, used, addr, "FACP");
		else if (!memcmp(s, "APIC", 4) && !madt)
			madt = table(&f, gpa, used, addr, "APIC");
		else if (!memcmp(s, "MCFG", 4) && !mcfg)
			mcfg = table(&f, gpa, used, addr, "MCFG");
		else
			FUZZ_CHECK(!"an XSDT entry that is no expected table");
	}

	FUZZ_CHECK(le_load(fadt + 4, 4) == 276);
	table(&f, gpa, used, le_load(fadt + 36, 4), "FACS");
	FUZZ_CHECK(le_load(fadt + 40, 4) == le_load(fadt + 140, 8));
	t = table(&f, gpa, used, le_load(fadt + 140, 8), "DSDT");
	FUZZ_CHECK(t[8] == 2);
	FUZZ_CHECK(le_load(fadt + 46, 2) == p->sci_irq);
	FUZZ_CHECK(le_load(fadt + 56, 4) == p->pm1a_evt_port);
	FUZZ_CHECK(le_load(fadt + 64, 4) == p->pm1a_cnt_port);
	FUZZ_CHECK(le_load(fadt + 120, 8) == p->reset_port && fadt[128] == p->reset_value);

	check_madt(madt, p);
	FUZZ_CHECK(le_load(mcfg + 44, 8) == p->ecam_base && mcfg[55] == p->pci_bus_end);
}

static void build(const struct acpi_platform *p, uint64_t gpa, size_t size,
		  bool must_succeed)
{
	char err[ERR_LEN];
	size_t used = 0;
	uint64_t rsdp = 0;

	memset(buf, CANARY, sizeof(buf));
	if (acpi_build(p, gpa, buf, size, &used, &rsdp, err, sizeof(err))) {
		FUZZ_CHECK(!must_succeed);
		FUZZ_CHECK(fz_one_line(err, sizeof(err)));
		FUZZ_CHECK(!memcmp(buf, canary, size));
		return;
	}
	check_tables(p, gpa, size, used, rsdp);
}

/* ---- layout and e820 ----------------------------------------------------- */

static void check_layout(const struct layout *l, uint64_t memory,
			 unsigned int phys_bits)
{
	uint64_t below = memory < 3 * G ? memory : 3 * G, end;

	FUZZ_CHECK(l->gpa_limit == 1ull << phys_bits);
	FUZZ_CHECK(l->ram[0].gpa == 0 && l->ram[0].size == below &&
		   l->ram_below_4g == below);
	if (memory > below) {
		FUZZ_CHECK(l->nr_ram == 2 && l->ram[1].gpa == 4 * G &&
			   l->ram[1].size == memory - below);
		end = 4 * G + l->ram[1].size;
	} else {
		FUZZ_CHECK(l->nr_ram == 1);
		end = 4 * G;	/* the 32-bit hole is addressed too */
	}
	FUZZ_CHECK(end <= l->gpa_limit);
	if (l->pci_mmio64_size) {
		FUZZ_CHECK(!(l->pci_mmio64_base % G) && l->pci_mmio64_base >= end);
		FUZZ_CHECK(l->pci_mmio64_base < l->gpa_limit &&
			   l->pci_mmio64_size <= l->gpa_limit - l->pci_mmio64_base);
		FUZZ_CHECK(l->pci_mmio64_size <= LAYOUT_PCI_MMIO64_MAX);
	}
}

/* Bytes of e820 RAM inside the layout's RAM, or -1 if one lies outside. */
static uint64_t e820_ram_in_layout(const struct boot_e820_entry *e,
				   const struct layout *l)
{
	for (unsigned int i = 0; i < l->nr_ram; i++) {
		const struct ram_range *r = &l->ram[i];

		if (e->addr >= r->gpa && e->addr - r->gpa < r->size &&
		    e->size <= r->size - (e->addr - r->gpa))
			return e->size;
	}
	return UINT64_MAX;
}

static void check_e820(const struct layout *l, uint64_t memory)
{
	struct boot_e820_entry t[E820_MAX_ENTRIES_ZEROPAGE], s[4];
	unsigned int n = e820_build(l, t, E820_MAX_ENTRIES_ZEROPAGE), k;
	uint64_t ram = 0;
	bool legacy = false, ecam = false;

	FUZZ_CHECK(n >= 1 && n <= E820_MAX_ENTRIES_ZEROPAGE);
	for (unsigned int i = 0; i < n; i++) {
		FUZZ_CHECK(t[i].size && t[i].addr + t[i].size > t[i].addr);
		FUZZ_CHECK(!i || t[i - 1].addr + t[i - 1].size <= t[i].addr);
		if (t[i].type == E820_TYPE_RAM) {
			uint64_t in = e820_ram_in_layout(&t[i], l);

			FUZZ_CHECK(in != UINT64_MAX);
			ram += in;
		} else {
			FUZZ_CHECK(t[i].type == E820_TYPE_RESERVED);
			legacy |= t[i].addr == E820_LEGACY_START &&
				  t[i].size == E820_LEGACY_END - E820_LEGACY_START;
			ecam |= t[i].addr == LAYOUT_ECAM_BASE &&
				t[i].size == LAYOUT_ECAM_SIZE;
		}
	}
	FUZZ_CHECK(legacy && ecam);
	FUZZ_CHECK(ram == memory - (E820_LEGACY_END - E820_LEGACY_START));
	/* Less room: the same map, cut short. */
	k = e820_build(l, s, 3);
	FUZZ_CHECK(k == (n < 3 ? n : 3) && !memcmp(s, t, k * sizeof(s[0])));
}

static uint64_t pick_memory(struct fuzz_input *in)
{
	uint64_t m;

	switch (fz_u8(in) % 4) {
	case 0:
		m = URSA_MIN_MEMORY + ((uint64_t)fz_u32(in) << 12);
		break;
	case 1:
		m = 3 * G + (uint64_t)(int64_t)(int16_t)fz_u16(in) * 4096;
		break;
	case 2:
		m = UINT64_MAX - ((uint64_t)fz_u32(in) << 12);
		break;
	default:
		m = fz_u64(in);
		break;
	}
	m &= ~0xfffull;
	return m < URSA_MIN_MEMORY ? URSA_MIN_MEMORY : m;
}

static void from_config(struct fuzz_input *in)
{
	uint64_t memory = pick_memory(in);
	unsigned int phys_bits = 32 + fz_u8(in) % 21;
	unsigned int cpus = 1 + fz_u8(in) % ACPI_MAX_CPUS;
	uint32_t slots = fz_u32(in) & ~1u;
	struct acpi_platform p;
	struct layout l;
	char err[ERR_LEN];
	bool fits = memory <= 3 * G ||
		    memory - 3 * G <= (1ull << phys_bits) - 4 * G;

	if (layout_compute(memory, phys_bits, &l, err, sizeof(err))) {
		FUZZ_CHECK(!fits);
		FUZZ_CHECK(fz_one_line(err, sizeof(err)));
		return;
	}
	FUZZ_CHECK(fits);
	check_layout(&l, memory, phys_bits);
	check_e820(&l, memory);

	acpi_platform_default(&p, cpus);
	p.mmio64 = (struct acpi_window){ l.pci_mmio64_base, l.pci_mmio64_size };
	p.pci_slots = slots;
	build(&p, ACPI_TABLES_GPA, ACPI_TABLES_SIZE, true);
}

/* ---- any platform ---------------------------------------------------------- */

static void from_platform(struct fuzz_input *in)
{
	uint32_t replace = fz_u32(in);
	struct acpi_platform p;
	uint64_t gpa = ACPI_TABLES_GPA;
	size_t size = ACPI_TABLES_SIZE;
	unsigned int bit = 0;

	acpi_platform_default(&p, 1 + fz_u8(in));
#define MAYBE(field, value)						\
	do {								\
		if (replace & (1u << bit++))				\
			field = (value);				\
	} while (0)
	MAYBE(p.ncpus, fz_u16(in) % 300);
	MAYBE(p.lapic_base, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in) & ~0xfffu);
	MAYBE(p.ioapic_base, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in) & ~0xfffu);
	MAYBE(p.ioapic_id, fz_u8(in));
	MAYBE(p.ioapic_pins, fz_u8(in));
	MAYBE(p.ecam_base, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in) & ~0xfffffu);
	MAYBE(p.pci_bus_end, fz_u8(in));
	MAYBE(p.mmio32.base, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in));
	MAYBE(p.mmio32.size, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in));
	MAYBE(p.mmio64.base, fz_u64(in));
	MAYBE(p.mmio64.size, fz_u64(in));
	MAYBE(p.pio.base, fz_u8(in) & 1 ? fz_u64(in) : fz_u16(in));
	MAYBE(p.pio.size, fz_u8(in) & 1 ? fz_u64(in) : fz_u16(in));
	MAYBE(p.pci_slots, fz_u32(in));
	MAYBE(p.pm1a_evt_port, fz_u16(in));
	MAYBE(p.pm1a_cnt_port, fz_u16(in));
	MAYBE(p.reset_port, fz_u16(in));
	MAYBE(p.reset_value, fz_u8(in));
	MAYBE(p.sci_irq, fz_u8(in));
	MAYBE(p.cmos_rtc, fz_u8(in) & 1);
	MAYBE(gpa, fz_u8(in) & 1 ? fz_u64(in) : fz_u32(in) & ~0xfu);
	MAYBE(size, fz_u32(in) % (ACPI_TABLES_SIZE + 1));
#undef MAYBE
	build(&p, gpa, size, false);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memset(canary, CANARY, sizeof(canary));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (fz_u8(&in) & 1)
		from_platform(&in);
	else
		from_config(&in);
	return 0;
}
