// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI table builder. Section numbers are ACPI 6.5's unless said
 * otherwise; MCFG is the PCI Firmware Specification 3.3's, section 4.1.2.
 *
 * Layout of the buffer, every table 8-byte aligned:
 *   RSDP (16-byte aligned, first, so a BIOS-area scan finds it)
 *   XSDT -> FADT, MADT, MCFG
 *   FACS (64-byte aligned), pointed to by the FADT
 *   FADT -> FACS, DSDT
 *   MADT, MCFG
 *   DSDT
 */
#include <stdio.h>
#include <string.h>

#include "devices/acpi_pm.h"
#include "vmm/boot/acpi.h"
#include "vmm/boot/aml.h"
#include "vmm/bytes.h"
#include "vmm/log.h"

#define OEM_ID		"URSA  "	/* 6 bytes */
#define OEM_TABLE_ID	"URSAVM  "	/* 8 bytes */
#define OEM_REVISION	1
#define CREATOR_ID	"URSA"
#define CREATOR_REVISION 1

#define HEADER_SIZE	36		/* section 5.2.6 */
#define RSDP_SIZE	36		/* section 5.2.5.3, revision 2 */
#define FACS_SIZE	64		/* section 5.2.10 */
#define FADT_SIZE	276		/* section 5.2.9, revision 6 */
#define MCFG_SIZE	(HEADER_SIZE + 8 + 16)
#define XSDT_ENTRIES	3		/* FADT, MADT, MCFG */

/* MADT (section 5.2.12) structure types and sizes. */
#define MADT_LOCAL_APIC		0	/* 5.2.12.2 */
#define MADT_LOCAL_APIC_SIZE	8
#define MADT_IOAPIC		1	/* 5.2.12.3 */
#define MADT_IOAPIC_SIZE	12
#define MADT_ISO		2	/* 5.2.12.5 */
#define MADT_ISO_SIZE		10
#define MADT_LAPIC_NMI		4	/* 5.2.12.7 */
#define MADT_LAPIC_NMI_SIZE	6
#define MADT_PCAT_COMPAT	1	/* flags: dual 8259s are present */
#define MADT_LAPIC_ENABLED	1
/* MPS INTI flags (Table 5.26): polarity bits 1:0, trigger mode bits 3:2;
 * 0 in either means "conforms to the bus" (ISA: edge, active high). */
#define MPS_POLARITY_HIGH	0x1
#define MPS_TRIGGER_EDGE	(0x1 << 2)
#define MPS_TRIGGER_LEVEL	(0x3 << 2)

/* FADT Fixed Feature Flags (Table 5.10). */
#define FADT_WBINVD		(1u << 0)
#define FADT_PROC_C1		(1u << 2)
#define FADT_PWR_BUTTON		(1u << 4)	/* 1: no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* 1: no fixed sleep button */
#define FADT_FIX_RTC		(1u << 6)	/* 1: no RTC_STS wake */
#define FADT_RESET_REG_SUP	(1u << 10)
/* IA-PC Boot Architecture Flags (Table 5.11). */
#define BOOT_LEGACY_DEVICES	(1u << 0)
#define BOOT_NO_VGA		(1u << 2)
#define BOOT_NO_ASPM		(1u << 4)
#define BOOT_NO_CMOS_RTC	(1u << 5)
/* P_LVL2_LAT > 100 and P_LVL3_LAT > 1000 say C2 and C3 are unsupported. */
#define FADT_NO_C2_LAT		101
#define FADT_NO_C3_LAT		1001

/* Generic Address Structure (section 5.2.3.2). */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2

#define PCI_CONFIG_PORT		0xcf8u		/* mechanism #1: 0xcf8-0xcff */
#define PCI_CONFIG_PORTS	8
#define PCI_SLOTS		32
#define PCI_PINS		4

static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Make the n bytes at p sum to 0, with the checksum byte at p[at]. */
static void checksum(uint8_t *p, size_t n, size_t at)
{
	p[at] = 0;
	p[at] = -sum(p, n);
}

/* The common table header (section 5.2.6); the checksum is set last. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	le_store(t + 4, 4, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	le_store(t + 24, 4, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	le_store(t + 32, 4, CREATOR_REVISION);
}

static void gas_io(uint8_t *g, unsigned int bits, uint8_t access,
		   uint64_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;			/* bit offset */
	g[3] = access;
	le_store(g + 4, 8, port);
}

void acpi_platform_default(struct acpi_platform *p, unsigned int ncpus)
{
	*p = (struct acpi_platform){
		.ncpus = ncpus,
		.lapic_base = LAYOUT_LAPIC_BASE,
		.ioapic_base = LAYOUT_IOAPIC_BASE,
		.ioapic_id = 0,
		.ioapic_pins = ACPI_IOAPIC_PINS,
		.ecam_base = LAYOUT_ECAM_BASE,
		.pci_bus_end = LAYOUT_ECAM_BUSES - 1,
		.mmio32 = { LAYOUT_PCI_MMIO32_BASE, LAYOUT_PCI_MMIO32_SIZE },
		.pio = { LAYOUT_PCI_PIO_BASE, LAYOUT_PCI_PIO_SIZE },
		.pm1a_evt_port = ACPI_PM_BASE + ACPI_PM_EVT_OFFSET,
		.pm1a_cnt_port = ACPI_PM_BASE + ACPI_PM_CNT_OFFSET,
		.reset_port = ACPI_PM_BASE + ACPI_PM_RESET_OFFSET,
		.reset_value = ACPI_PM_RESET_VALUE,
		.sci_irq = ACPI_SCI_IRQ,
	};
}

/* ---- configuration checks ---------------------------------------------- */

struct span {
	const char *what;
	uint64_t base, size;
};

static int check_overlaps(const struct span *s, size_t n, char *err,
			  size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (!s[i].size || !s[j].size)
				continue;
			/* Overflow-safe: one starts inside the other. */
			if (s[i].base >= s[j].base ?
			    s[i].base - s[j].base < s[j].size :
			    s[j].base - s[i].base < s[i].size) {
				set_error(err, errlen,
					  "acpi: %s [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx)",
					  s[i].what, (unsigned long long)s[i].base,
					  (unsigned long long)(s[i].base + s[i].size),
					  s[j].what, (unsigned long long)s[j].base,
					  (unsigned long long)(s[j].base + s[j].size));
				return -1;
			}
		}
	}
	return 0;
}

/* [base, base + size) lies within [lo, hi) and does not wrap. */
static bool within(uint64_t base, uint64_t size, uint64_t lo, uint64_t hi)
{
	return base >= lo && base <= hi && size <= hi - base;
}

static int check_platform(const struct acpi_platform *p, uint64_t gpa,
			  size_t size, char *err, size_t errlen)
{
	const uint64_t g4 = 1ull << 32;
	uint64_t ecam_size = ((uint64_t)p->pci_bus_end + 1) * LAYOUT_ECAM_BUS_SIZE;
	struct span mem[] = {
		{ "the 32-bit PCI MMIO window", p->mmio32.base, p->mmio32.size },
		{ "the 64-bit PCI MMIO window", p->mmio64.base, p->mmio64.size },
		{ "the ECAM window", p->ecam_base, ecam_size },
		{ "the IOAPIC", p->ioapic_base, 0x1000 },
		{ "the local APIC", p->lapic_base, 0x1000 },
		{ "the ACPI tables", gpa, size },
	};
	struct span pio[] = {
		{ "PM1a_EVT_BLK", p->pm1a_evt_port, ACPI_PM_EVT_LEN },
		{ "PM1a_CNT_BLK", p->pm1a_cnt_port, ACPI_PM_CNT_LEN },
		{ "the reset register", p->reset_port, 1 },
		{ "the PCI configuration ports", PCI_CONFIG_PORT, PCI_CONFIG_PORTS },
		{ "the PCI I/O window", p->pio.base, p->pio.size },
	};

	if (p->ncpus < 1 || p->ncpus > ACPI_MAX_CPUS) {
		set_error(err, errlen, "acpi: %u vCPUs; xAPIC IDs allow 1 to %u",
			  p->ncpus, ACPI_MAX_CPUS);
		return -1;
	}
	if (gpa % 16 || gpa >= g4) {
		set_error(err, errlen,
			  "acpi: tables at 0x%llx must be 16-byte aligned and below 4 GiB",
			  (unsigned long long)gpa);
		return -1;
	}
	if (p->ioapic_pins < ACPI_PCI_INTX_GSI_BASE + ACPI_PCI_INTX_GSIS ||
	    p->ioapic_pins > 240) {
		set_error(err, errlen,
			  "acpi: an IOAPIC with %u pins; PCI INTx needs GSIs %u-%u (at most 240 pins)",
			  p->ioapic_pins, ACPI_PCI_INTX_GSI_BASE,
			  ACPI_PCI_INTX_GSI_BASE + ACPI_PCI_INTX_GSIS - 1);
		return -1;
	}
	if (p->sci_irq >= 16 || p->sci_irq == 0 || p->sci_irq == 2) {
		set_error(err, errlen, "acpi: SCI on IRQ %u; it needs a free ISA IRQ",
			  p->sci_irq);
		return -1;
	}
	if (p->lapic_base % 0x1000 || !within(p->lapic_base, 0x1000, 0, g4) ||
	    p->ioapic_base % 0x1000 || !within(p->ioapic_base, 0x1000, 0, g4)) {
		set_error(err, errlen,
			  "acpi: the local APIC and IOAPIC must be 4 KiB pages below 4 GiB");
		return -1;
	}
	/* The DSDT reserves ECAM with a Memory32Fixed descriptor. */
	if (p->ecam_base % LAYOUT_ECAM_BUS_SIZE ||
	    !within(p->ecam_base, ecam_size, 0, g4)) {
		set_error(err, errlen,
			  "acpi: the ECAM window at 0x%llx (buses 0-%u) must be 1 MiB aligned and below 4 GiB",
			  (unsigned long long)p->ecam_base, p->pci_bus_end);
		return -1;
	}
	if (!p->mmio32.size || !within(p->mmio32.base, p->mmio32.size, 0, g4)) {
		set_error(err, errlen,
			  "acpi: the 32-bit PCI MMIO window must be non-empty and below 4 GiB");
		return -1;
	}
	if (p->mmio64.size && !within(p->mmio64.base, p->mmio64.size, g4,
				      UINT64_MAX)) {
		set_error(err, errlen,
			  "acpi: the 64-bit PCI MMIO window must lie above 4 GiB");
		return -1;
	}
	/* The root bridge forwards [0xd00, 0xffff] (see build_dsdt()). */
	if (!p->pio.size || !within(p->pio.base, p->pio.size, 0xd00, 0x10000)) {
		set_error(err, errlen,
			  "acpi: the PCI I/O window must be non-empty and within [0xd00, 0xffff]");
		return -1;
	}
	if (!p->pm1a_evt_port || !p->pm1a_cnt_port || !p->reset_port ||
	    !within(p->pm1a_evt_port, ACPI_PM_EVT_LEN, 0, 0x10000) ||
	    !within(p->pm1a_cnt_port, ACPI_PM_CNT_LEN, 0, 0x10000)) {
		set_error(err, errlen,
			  "acpi: the PM1a and reset ports must be non-zero and fit in I/O space");
		return -1;
	}
	if (check_overlaps(mem, sizeof(mem) / sizeof(mem[0]), err, errlen) ||
	    check_overlaps(pio, sizeof(pio) / sizeof(pio[0]), err, errlen))
		return -1;
	return 0;
}

/* ---- DSDT --------------------------------------------------------------- */

/* \_SB.PCI0._CRS: what the host bridge decodes (section 6.2.2, and the
 * PCI Firmware Specification 3.3 section 4.1 for host bridges). */
static void pci0_crs(struct aml *a, const struct acpi_platform *p)
{
	size_t res;

	aml_name(a, "_CRS");
	res = aml_resource_begin(a);
	aml_word_bus_number(a, AML_PRODUCER, 0, p->pci_bus_end);
	/* The bridge itself consumes the config mechanism #1 ports... */
	aml_io(a, PCI_CONFIG_PORT, PCI_CONFIG_PORT, 1, PCI_CONFIG_PORTS);
	/* ...and forwards the rest of I/O space, legacy ports included. */
	aml_word_io(a, AML_PRODUCER, 0, PCI_CONFIG_PORT - 1);
	aml_word_io(a, AML_PRODUCER, 0xd00, 0xffff);
	/* Not prefetchable: a root window without the prefetch attribute
	 * takes both kinds of BAR. */
	aml_dword_memory(a, AML_PRODUCER, AML_NON_CACHEABLE, p->mmio32.base,
			 p->mmio32.base + p->mmio32.size - 1);
	if (p->mmio64.size)
		aml_qword_memory(a, AML_PRODUCER, AML_NON_CACHEABLE,
				 p->mmio64.base,
				 p->mmio64.base + p->mmio64.size - 1);
	aml_resource_end(a, res);
}

/*
 * \_SB.PCI0._PRT (section 6.2.13): one entry per slot and pin, each
 * Package { Address, Pin, Source, Source Index }. Address is the _ADR
 * form with function 0xffff (any function of the slot); Source 0 says
 * the Source Index is a GSI, and such interrupts are level-triggered,
 * active low and shareable.
 */
static void pci0_prt(struct aml *a)
{
	size_t prt;

	aml_name(a, "_PRT");
	prt = aml_package_begin(a);
	for (unsigned int slot = 0; slot < PCI_SLOTS; slot++) {
		for (unsigned int pin = 0; pin < PCI_PINS; pin++) {
			size_t e = aml_package_begin(a);

			aml_integer(a, (uint64_t)slot << 16 | 0xffff);
			aml_integer(a, pin);
			aml_integer(a, 0);
			aml_integer(a, acpi_pci_intx_gsi(slot, pin));
			aml_package_end(a, e, 4);
		}
	}
	aml_package_end(a, prt, PCI_SLOTS * PCI_PINS);
}

/*
 * A Device per described slot (section 6.1.1 _ADR: slot << 16 | function,
 * 6.1.11 _SUN: the slot number users see): its firmware name stays put
 * whatever else is on the bus. Linux's pci_slot module shows _SUN as
 * /sys/bus/pci/slots/N.
 */
static void pci0_slots(struct aml *a, const struct acpi_platform *p)
{
	for (unsigned int slot = 1; slot < PCI_SLOTS; slot++) {
		char name[5];
		size_t dev;

		if (!(p->pci_slots & (1u << slot)))
			continue;
		snprintf(name, sizeof(name), "SL%02X", slot);
		dev = aml_device_begin(a, name);
		aml_name_integer(a, "_ADR", (uint64_t)slot << 16);
		aml_name_integer(a, "_SUN", slot);
		aml_end(a, dev);
	}
}

static int build_dsdt(struct aml *a, const struct acpi_platform *p)
{
	uint64_t ecam_size = ((uint64_t)p->pci_bus_end + 1) * LAYOUT_ECAM_BUS_SIZE;
	size_t sb, dev, res, s5;

	sb = aml_scope_begin(a, "\\_SB");

	/* The PCI Express host bridge (section 6.1.5 _HID, 6.1.2 _CID: a
	 * PNP0A08 is also a PNP0A03 for OSes that predate PCIe). */
	dev = aml_device_begin(a, "PCI0");
	aml_name_eisaid(a, "_HID", "PNP0A08");
	aml_name_eisaid(a, "_CID", "PNP0A03");
	aml_name_integer(a, "_SEG", 0);		/* 6.5.6 */
	aml_name_integer(a, "_UID", 0);		/* 6.1.12 */
	aml_name_integer(a, "_BBN", 0);		/* 6.5.5 */
	pci0_crs(a, p);
	pci0_prt(a);
	pci0_slots(a, p);
	aml_end(a, dev);

	/*
	 * Motherboard resources (PNP0C02): the ECAM window that MCFG
	 * describes. Linux uses MCFG only if the window is reserved here or
	 * in the memory map (PCI Firmware Specification 3.3, section 4.1.2).
	 */
	dev = aml_device_begin(a, "MRES");
	aml_name_eisaid(a, "_HID", "PNP0C02");
	aml_name_integer(a, "_UID", 0);
	aml_name(a, "_CRS");
	res = aml_resource_begin(a);
	aml_memory32_fixed(a, p->ecam_base, ecam_size);
	aml_resource_end(a, res);
	aml_end(a, dev);

	aml_end(a, sb);

	/*
	 * \_S5 (section 7.4.2): the values OSPM writes to SLP_TYPa and
	 * SLP_TYPb to enter soft off, then two reserved elements.
	 */
	aml_name(a, "\\_S5");
	s5 = aml_package_begin(a);
	aml_integer(a, ACPI_PM_SLP_TYP_S5);
	aml_integer(a, ACPI_PM_SLP_TYP_S5);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_package_end(a, s5, 4);

	return a->error ? -1 : 0;
}

/* ---- fixed-layout tables -------------------------------------------------- */

/* Root System Description Pointer (section 5.2.5.3). No RSDT: an OS
 * must use the XSDT when the revision is 2 or more. */
static void build_rsdp(uint8_t *t, uint64_t xsdt)
{
	memcpy(t, "RSD PTR ", 8);
	memcpy(t + 9, OEM_ID, 6);
	t[15] = 2;			/* revision: ACPI 2.0+ layout */
	le_store(t + 16, 4, 0);		/* RsdtAddress */
	le_store(t + 20, 4, RSDP_SIZE);
	le_store(t + 24, 8, xsdt);
	checksum(t, 20, 8);		/* the ACPI 1.0 part */
	checksum(t, RSDP_SIZE, 32);	/* the whole structure */
}

/* Extended System Description Table (section 5.2.8). */
static void build_xsdt(uint8_t *t, const uint64_t *entries, unsigned int n)
{
	uint32_t len = HEADER_SIZE + 8 * n;

	header(t, "XSDT", len, 1);
	for (unsigned int i = 0; i < n; i++)
		le_store(t + HEADER_SIZE + 8 * i, 8, entries[i]);
	checksum(t, len, 9);
}

/* Firmware ACPI Control Structure (section 5.2.10): the global lock and
 * waking vector live here; it has no checksum. */
static void build_facs(uint8_t *t)
{
	memcpy(t, "FACS", 4);
	le_store(t + 4, 4, FACS_SIZE);
	t[32] = 2;			/* version */
}

/* Fixed ACPI Description Table (section 5.2.9), revision 6.5. */
static void build_fadt(uint8_t *t, const struct acpi_platform *p,
		       uint64_t facs, uint64_t dsdt)
{
	uint16_t boot = BOOT_LEGACY_DEVICES | BOOT_NO_VGA | BOOT_NO_ASPM;

	if (!p->cmos_rtc)
		boot |= BOOT_NO_CMOS_RTC;

	header(t, "FACP", FADT_SIZE, 6);
	/* FIRMWARE_CTRL only: X_FIRMWARE_CTRL must be 0 when it is set. */
	le_store(t + 36, 4, facs);
	le_store(t + 40, 4, dsdt);
	t[45] = 0;			/* Preferred_PM_Profile: unspecified */
	le_store(t + 46, 2, p->sci_irq);
	/* SMI_CMD 0: no transition to or from legacy mode, ACPI is on. */
	le_store(t + 48, 4, 0);
	le_store(t + 56, 4, p->pm1a_evt_port);
	le_store(t + 64, 4, p->pm1a_cnt_port);
	t[88] = ACPI_PM_EVT_LEN;	/* PM1_EVT_LEN */
	t[89] = ACPI_PM_CNT_LEN;	/* PM1_CNT_LEN */
	/* No PM2, PM timer or GPE blocks (all optional, lengths 0). */
	le_store(t + 96, 2, FADT_NO_C2_LAT);
	le_store(t + 98, 2, FADT_NO_C3_LAT);
	le_store(t + 109, 2, boot);	/* IAPC_BOOT_ARCH */
	le_store(t + 112, 4, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		 FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_RESET_REG_SUP);
	gas_io(t + 116, 8, GAS_ACCESS_BYTE, p->reset_port);	/* RESET_REG */
	t[128] = p->reset_value;
	t[131] = 5;			/* FADT minor version: 6.5 */
	le_store(t + 140, 8, dsdt);	/* X_DSDT, the same as DSDT */
	/* X_PM1a_EVT_BLK and X_PM1a_CNT_BLK repeat the 32-bit fields:
	 * 16-bit registers, accessed as words. */
	gas_io(t + 148, 8 * ACPI_PM_EVT_LEN, GAS_ACCESS_WORD, p->pm1a_evt_port);
	gas_io(t + 172, 8 * ACPI_PM_CNT_LEN, GAS_ACCESS_WORD, p->pm1a_cnt_port);
	checksum(t, FADT_SIZE, 9);
}

static size_t madt_size(unsigned int ncpus)
{
	return HEADER_SIZE + 8 + ncpus * MADT_LOCAL_APIC_SIZE +
	       MADT_IOAPIC_SIZE + 2 * MADT_ISO_SIZE + MADT_LAPIC_NMI_SIZE;
}

static uint8_t *madt_iso(uint8_t *e, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	e[0] = MADT_ISO;
	e[1] = MADT_ISO_SIZE;
	e[2] = 0;			/* bus: ISA */
	e[3] = irq;
	le_store(e + 4, 4, gsi);
	le_store(e + 8, 2, flags);
	return e + MADT_ISO_SIZE;
}

/* Multiple APIC Description Table (section 5.2.12), revision 5. */
static void build_madt(uint8_t *t, const struct acpi_platform *p)
{
	uint32_t len = madt_size(p->ncpus);
	uint8_t *e = t + HEADER_SIZE + 8;

	header(t, "APIC", len, 5);
	le_store(t + 36, 4, p->lapic_base);
	le_store(t + 40, 4, MADT_PCAT_COMPAT);

	for (unsigned int i = 0; i < p->ncpus; i++) {
		e[0] = MADT_LOCAL_APIC;
		e[1] = MADT_LOCAL_APIC_SIZE;
		e[2] = i;		/* ACPI Processor UID */
		e[3] = i;		/* APIC ID */
		le_store(e + 4, 4, MADT_LAPIC_ENABLED);
		e += MADT_LOCAL_APIC_SIZE;
	}

	e[0] = MADT_IOAPIC;
	e[1] = MADT_IOAPIC_SIZE;
	e[2] = p->ioapic_id;
	e[3] = 0;
	le_store(e + 4, 4, p->ioapic_base);
	le_store(e + 8, 4, 0);		/* GSI base */
	e += MADT_IOAPIC_SIZE;

	/*
	 * The PIT's IRQ 0 reaches IOAPIC pin 2 (pin 0 is the 8259's INTR);
	 * edge, polarity as ISA. The SCI is level, active high (section
	 * 5.2.12.5: an SCI override must say so when it is not active low).
	 */
	e = madt_iso(e, 0, 2, MPS_TRIGGER_EDGE);
	e = madt_iso(e, p->sci_irq, p->sci_irq,
		     MPS_TRIGGER_LEVEL | MPS_POLARITY_HIGH);

	/* NMI arrives on LINT1 of every local APIC (UID 0xff: all). */
	e[0] = MADT_LAPIC_NMI;
	e[1] = MADT_LAPIC_NMI_SIZE;
	e[2] = 0xff;
	le_store(e + 3, 2, 0);		/* flags: as the bus (edge, high) */
	e[5] = 1;			/* LINT1 */

	checksum(t, len, 9);
}

/* PCI Express memory mapped configuration space base address table
 * (PCI Firmware Specification 3.3 section 4.1.2), revision 1. */
static void build_mcfg(uint8_t *t, const struct acpi_platform *p)
{
	uint8_t *e = t + HEADER_SIZE + 8;	/* 8 reserved bytes first */

	header(t, "MCFG", MCFG_SIZE, 1);
	le_store(e, 8, p->ecam_base);		/* the address of bus 0 */
	le_store(e + 8, 2, 0);			/* segment group */
	e[10] = 0;				/* start bus */
	e[11] = p->pci_bus_end;			/* end bus */
	checksum(t, MCFG_SIZE, 9);
}

int acpi_build(const struct acpi_platform *p, uint64_t gpa, uint8_t *buf,
	       size_t size, size_t *used, uint64_t *rsdp_gpa, char *err,
	       size_t errlen)
{
	size_t xsdt, facs, fadt, madt, mcfg, dsdt, end;
	static const uint8_t no_header[HEADER_SIZE];
	uint64_t entries[XSDT_ENTRIES];
	struct aml aml;

	if (check_platform(p, gpa, size, err, errlen))
		return -1;

	aml_init(&aml);
	/* Room for the header, written once the length is known. */
	aml_bytes(&aml, no_header, HEADER_SIZE);
	if (build_dsdt(&aml, p)) {
		set_error(err, errlen, "acpi: building the DSDT: %s", aml.error);
		aml_free(&aml);
		return -1;
	}

	xsdt = align_up(RSDP_SIZE, 16);
	facs = align_up(xsdt + HEADER_SIZE + 8 * XSDT_ENTRIES, 64);
	fadt = align_up(facs + FACS_SIZE, 8);
	madt = align_up(fadt + FADT_SIZE, 8);
	mcfg = align_up(madt + madt_size(p->ncpus), 8);
	dsdt = align_up(mcfg + MCFG_SIZE, 8);
	end = dsdt + aml.len;
	if (end > size || gpa + end > 1ull << 32) {
		set_error(err, errlen,
			  "acpi: the tables for %u vCPUs need %zu bytes below 4 GiB, %zu are available at 0x%llx",
			  p->ncpus, end, size, (unsigned long long)gpa);
		aml_free(&aml);
		return -1;
	}

	memset(buf, 0, end);
	memcpy(buf + dsdt, aml.buf, aml.len);
	header(buf + dsdt, "DSDT", aml.len, 2);	/* 2: 64-bit integers */
	checksum(buf + dsdt, aml.len, 9);
	aml_free(&aml);

	build_mcfg(buf + mcfg, p);
	build_madt(buf + madt, p);
	build_facs(buf + facs);
	build_fadt(buf + fadt, p, gpa + facs, gpa + dsdt);
	entries[0] = gpa + fadt;
	entries[1] = gpa + madt;
	entries[2] = gpa + mcfg;
	build_xsdt(buf + xsdt, entries, XSDT_ENTRIES);
	build_rsdp(buf, gpa + xsdt);

	*used = end;
	*rsdp_gpa = gpa;
	return 0;
}
