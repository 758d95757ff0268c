// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AML encoder byte by byte, and the ACPI tables parsed back the way an
 * OS would: RSDP -> XSDT -> FADT/MADT/MCFG, FADT -> FACS/DSDT.
 */
#include <stdlib.h>

#include "check.h"
#include "devices/acpi_pm.h"
#include "vmm/boot/acpi.h"
#include "vmm/boot/aml.h"
#include "vmm/bytes.h"

#define GPA	ACPI_TABLES_GPA

static uint8_t buf[ACPI_TABLES_SIZE];
static size_t used;

/* ---- AML encoder ---------------------------------------------------------- */

/* The encoder's output equals the n bytes given. */
static int aml_is(const struct aml *a, const uint8_t *want, size_t n)
{
	if (a->error) {
		fprintf(stderr, "aml error: %s\n", a->error);
		return 0;
	}
	return a->len == n && !memcmp(a->buf, want, n);
}

#define AML_IS(a, ...)							\
	aml_is((a), (const uint8_t[]){ __VA_ARGS__ },			\
	       sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_pkglen(void)
{
	uint8_t b[4];

	/* One byte: the value counts itself, up to 63. */
	CHECK_EQ_U64(aml_pkglen_encode(b, 0), 1);
	CHECK_EQ_U64(b[0], 1);
	CHECK_EQ_U64(aml_pkglen_encode(b, 62), 1);
	CHECK_EQ_U64(b[0], 63);
	/* 63 bytes of content: 65 with two bytes, low nibble first. */
	CHECK_EQ_U64(aml_pkglen_encode(b, 63), 2);
	CHECK_EQ_U64(b[0], 0x41);
	CHECK_EQ_U64(b[1], 0x04);
	CHECK_EQ_U64(aml_pkglen_encode(b, 64), 2);
	CHECK_EQ_U64(b[0] | b[1] << 4, 66);
	/* Two bytes hold 12 bits: 4095 in all. */
	CHECK_EQ_U64(aml_pkglen_encode(b, 4093), 2);
	CHECK_EQ_U64(b[0], 0x4f);
	CHECK_EQ_U64(b[1], 0xff);
	CHECK_EQ_U64(aml_pkglen_encode(b, 4094), 3);
	CHECK_EQ_U64(b[0], 0x81);	/* 4097 = 0x1001 */
	CHECK_EQ_U64(b[1], 0x00);
	CHECK_EQ_U64(b[2], 0x01);
	CHECK_EQ_U64(aml_pkglen_encode(b, 4095), 3);
	CHECK_EQ_U64(aml_pkglen_encode(b, 4096), 3);
	CHECK_EQ_U64((b[0] & 0xf) | b[1] << 4 | b[2] << 12, 4099);
	/* Three bytes hold 20 bits, four 28. */
	CHECK_EQ_U64(aml_pkglen_encode(b, 0xfffff - 3), 3);
	CHECK_EQ_U64(aml_pkglen_encode(b, 0xfffff - 2), 4);
	CHECK_EQ_U64(b[0], 0xc1);	/* 0x100001 */
	CHECK_EQ_U64(b[3], 0x01);
	CHECK_EQ_U64(aml_pkglen_encode(b, AML_PKGLEN_MAX - 4), 4);
	CHECK_EQ_U64(b[0], 0xcf);
	CHECK_EQ_U64(b[1] & b[2] & b[3], 0xff);
	CHECK_EQ_U64(aml_pkglen_encode(b, AML_PKGLEN_MAX - 3), 0);
	CHECK_EQ_U64(aml_pkglen_encode(b, SIZE_MAX), 0);
}

/* A Package of n Zero elements: its PkgLength covers NumElements and them. */
static void test_package_sizes(void)
{
	static const struct {
		unsigned int n, pkglen_bytes;
	} cases[] = { { 61, 1 }, { 62, 2 }, { 63, 2 }, { 64, 2 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml a;
		size_t m;
		uint8_t want[4];
		unsigned int n = cases[i].n;

		aml_init(&a);
		m = aml_package_begin(&a);
		for (unsigned int e = 0; e < n; e++)
			aml_integer(&a, 0);
		aml_package_end(&a, m, n);
		CHECK(!a.error);
		CHECK_EQ_U64(aml_pkglen_encode(want, n + 1),
			     cases[i].pkglen_bytes);
		CHECK_EQ_U64(a.len, 1 + cases[i].pkglen_bytes + 1 + n);
		CHECK_EQ_U64(a.buf[0], 0x12);
		CHECK(!memcmp(a.buf + 1, want, cases[i].pkglen_bytes));
		CHECK_EQ_U64(a.buf[1 + cases[i].pkglen_bytes], n);
		aml_free(&a);
	}
}

/* A Scope holding 4096 bytes: a 3-byte PkgLength inserted before the
 * name, content moved intact. */
static void test_big_scope(void)
{
	struct aml a;
	size_t m;
	uint8_t raw[4091];

	for (size_t i = 0; i < sizeof(raw); i++)
		raw[i] = i * 7;
	aml_init(&a);
	m = aml_scope_begin(&a, "\\ABC");	/* 5 name bytes */
	aml_bytes(&a, raw, sizeof(raw));	/* 4096 in all */
	aml_end(&a, m);
	CHECK(!a.error);
	CHECK_EQ_U64(a.len, 1 + 3 + 4096);
	CHECK_EQ_U64(a.buf[0], 0x10);
	CHECK_EQ_U64((a.buf[1] & 0xf) | a.buf[2] << 4 | a.buf[3] << 12, 4099);
	CHECK_EQ_U64(a.buf[1] >> 6, 2);
	CHECK(!memcmp(a.buf + 4, "\\ABC_", 5));
	CHECK(!memcmp(a.buf + 9, raw, sizeof(raw)));
	aml_free(&a);
}

static void test_integers(void)
{
	struct aml a;

#define INT_IS(v, ...)							\
	do {								\
		aml_init(&a);						\
		aml_integer(&a, (v));					\
		CHECK(AML_IS(&a, __VA_ARGS__));				\
		aml_free(&a);						\
	} while (0)

	INT_IS(0, 0x00);
	INT_IS(1, 0x01);
	INT_IS(2, 0x0a, 0x02);
	INT_IS(0xff, 0x0a, 0xff);
	INT_IS(0x100, 0x0b, 0x00, 0x01);
	INT_IS(0xffff, 0x0b, 0xff, 0xff);
	INT_IS(0x10000, 0x0c, 0x00, 0x00, 0x01, 0x00);
	INT_IS(0xffffffff, 0x0c, 0xff, 0xff, 0xff, 0xff);
	INT_IS(0x100000000ull, 0x0e, 0, 0, 0, 0, 1, 0, 0, 0);
	INT_IS(0x0123456789abcdefull, 0x0e, 0xef, 0xcd, 0xab, 0x89, 0x67,
	       0x45, 0x23, 0x01);
#undef INT_IS

	aml_init(&a);
	aml_ones(&a);
	aml_string(&a, "ab");
	CHECK(AML_IS(&a, 0xff, 0x0d, 'a', 'b', 0x00));
	aml_free(&a);
}

static void test_names(void)
{
	struct aml a;
	uint32_t v;

#define NAME_IS(s, ...)							\
	do {								\
		aml_init(&a);						\
		aml_namestring(&a, (s));				\
		CHECK(AML_IS(&a, __VA_ARGS__));				\
		aml_free(&a);						\
	} while (0)
#define NAME_BAD(s)							\
	do {								\
		aml_init(&a);						\
		aml_namestring(&a, (s));				\
		CHECK(a.error != NULL);					\
		aml_free(&a);						\
	} while (0)

	NAME_IS("_S5", '_', 'S', '5', '_');
	NAME_IS("PCI0", 'P', 'C', 'I', '0');
	NAME_IS("\\_SB.PCI0", 0x5c, 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0');
	NAME_IS("^^A", 0x5e, 0x5e, 'A', '_', '_', '_');
	NAME_IS("\\A.B.C", 0x5c, 0x2f, 3, 'A', '_', '_', '_', 'B', '_', '_',
		'_', 'C', '_', '_', '_');
	NAME_IS("", 0x00);
	NAME_IS("\\", 0x5c, 0x00);
	NAME_BAD("pci0");
	NAME_BAD("ABCDE");
	NAME_BAD("1ABC");
	NAME_BAD("A..B");
	NAME_BAD("A.");
	NAME_BAD("\\^A");
#undef NAME_IS
#undef NAME_BAD

	/* Named objects: NameOp, and a Device under ExtOpPrefix. */
	aml_init(&a);
	aml_name_integer(&a, "_UID", 0x1234);
	CHECK(AML_IS(&a, 0x08, '_', 'U', 'I', 'D', 0x0b, 0x34, 0x12));
	aml_free(&a);
	aml_init(&a);
	{
		size_t m = aml_device_begin(&a, "DEV");

		aml_name_integer(&a, "_UID", 1);
		aml_end(&a, m);
	}
	CHECK(AML_IS(&a, 0x5b, 0x82, 11, 'D', 'E', 'V', '_',
		     0x08, '_', 'U', 'I', 'D', 0x01));
	aml_free(&a);

	/* Compressed EISA IDs, and their DWordConst. */
	CHECK(aml_eisaid_value("PNP0A03", &v));
	CHECK_EQ_U64(v, 0x030ad041);
	CHECK(aml_eisaid_value("PNP0A08", &v));
	CHECK_EQ_U64(v, 0x080ad041);
	CHECK(aml_eisaid_value("PNP0C02", &v));
	CHECK_EQ_U64(v, 0x020cd041);
	CHECK(!aml_eisaid_value("pnp0a03", &v));
	CHECK(!aml_eisaid_value("PNP0A0", &v));
	CHECK(!aml_eisaid_value("PNP0A0G", &v));
	aml_init(&a);
	aml_name_eisaid(&a, "_HID", "PNP0A08");
	CHECK(AML_IS(&a, 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x08));
	aml_eisaid(&a, "bad");
	CHECK(a.error != NULL);
	aml_free(&a);
}

static void test_resources(void)
{
	struct aml a;
	size_t m;

	/* A template: BufferOp PkgLength BufferSize(ByteConst) bytes EndTag. */
	aml_init(&a);
	m = aml_resource_begin(&a);
	aml_io(&a, 0xcf8, 0xcf8, 1, 8);
	aml_resource_end(&a, m);
	CHECK(AML_IS(&a, 0x11, 13, 0x0a, 10,
		     0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08,
		     0x79, 0x00));
	aml_free(&a);

	aml_init(&a);
	aml_word_bus_number(&a, AML_PRODUCER, 0, 0xff);
	CHECK(AML_IS(&a, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
		     0, 0, 0, 0, 0xff, 0, 0, 0, 0x00, 0x01));
	aml_free(&a);

	aml_init(&a);
	aml_word_io(&a, AML_PRODUCER, 0xd00, 0xffff);
	CHECK(AML_IS(&a, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
		     0, 0, 0x00, 0x0d, 0xff, 0xff, 0, 0, 0x00, 0xf3));
	aml_free(&a);

	aml_init(&a);
	aml_dword_memory(&a, AML_PRODUCER, AML_NON_CACHEABLE, 0xc0000000,
			 0xdfffffff);
	CHECK(AML_IS(&a, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
		     0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xff, 0xdf,
		     0, 0, 0, 0, 0x00, 0x00, 0x00, 0x20));
	aml_free(&a);

	aml_init(&a);
	aml_qword_memory(&a, AML_CONSUMER, AML_PREFETCHABLE, 1ull << 40,
			 (1ull << 41) - 1);
	CHECK_EQ_U64(a.len, 46);
	CHECK_EQ_U64(a.buf[1], 0x2b);
	CHECK_EQ_U64(a.buf[4], 0x0c | 1);	/* consumer */
	CHECK_EQ_U64(a.buf[5], 0x07);		/* prefetchable, read-write */
	CHECK_EQ_U64(le_load(a.buf + 14, 8), 1ull << 40);
	CHECK_EQ_U64(le_load(a.buf + 22, 8), (1ull << 41) - 1);
	CHECK_EQ_U64(le_load(a.buf + 38, 8), 1ull << 40);
	aml_free(&a);

	aml_init(&a);
	aml_memory32_fixed(&a, 0xe0000000, 0x100000);
	CHECK(AML_IS(&a, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe0,
		     0x00, 0x00, 0x10, 0x00));
	aml_free(&a);

	/* Ranges a descriptor cannot express are errors, and sticky. */
	aml_init(&a);
	aml_word_io(&a, AML_PRODUCER, 0, 0xffff);	/* length 0x10000 */
	CHECK(a.error != NULL);
	aml_integer(&a, 5);
	CHECK_EQ_U64(a.len, 0);
	aml_free(&a);
	aml_init(&a);
	aml_qword_memory(&a, AML_PRODUCER, AML_CACHEABLE, 0, UINT64_MAX);
	CHECK(a.error != NULL);
	aml_free(&a);
	aml_init(&a);
	aml_dword_memory(&a, AML_PRODUCER, AML_CACHEABLE, 2, 1);
	CHECK(a.error != NULL);
	aml_free(&a);
	aml_init(&a);
	m = aml_package_begin(&a);
	aml_package_end(&a, m, 256);
	CHECK(a.error != NULL);
	aml_free(&a);
}

/* ---- table parsing -------------------------------------------------------- */

static uint64_t ld(const uint8_t *p, unsigned int size)
{
	return le_load(p, size);
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* The table at gpa, if it lies inside what was built and its length and
 * checksum are right; NULL (and a failed check) otherwise. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	const uint8_t *t;
	uint32_t len;

	CHECK(gpa >= GPA && gpa + 36 <= GPA + used);
	if (gpa < GPA || gpa + 36 > GPA + used)
		return NULL;
	t = buf + (gpa - GPA);
	len = ld(t + 4, 4);
	CHECK(!memcmp(t, sig, 4));
	CHECK(len >= 36 && gpa + len <= GPA + used);
	if (memcmp(t, sig, 4) || len < 36 || gpa + len > GPA + used)
		return NULL;
	CHECK_EQ_U64(sum(t, len), 0);
	CHECK(!memcmp(t + 10, "URSA  ", 6));
	CHECK(!memcmp(t + 28, "URSA", 4));
	return t;
}

/* Find an AML name segment, returning its offset or 0. */
static size_t find(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(p + i, s, n))
			return i;
	return 0;
}

/* Decode a PkgLength at p; returns its value and sets *bytes. */
static size_t pkglen(const uint8_t *p, unsigned int *bytes)
{
	size_t v;

	*bytes = 1 + (p[0] >> 6);
	if (*bytes == 1)
		return p[0] & 0x3f;
	v = p[0] & 0x0f;
	for (unsigned int i = 1; i < *bytes; i++)
		v |= (size_t)p[i] << (8 * i - 4);
	return v;
}

/* Decode a ComputationalData integer; advances *p. */
static uint64_t integer(const uint8_t **p)
{
	uint8_t op = *(*p)++;
	unsigned int size;
	uint64_t v;

	switch (op) {
	case 0x00:
		return 0;
	case 0x01:
		return 1;
	case 0x0a:
		size = 1;
		break;
	case 0x0b:
		size = 2;
		break;
	case 0x0c:
		size = 4;
		break;
	case 0x0e:
		size = 8;
		break;
	default:
		CHECK(!"ComputationalData opcode");
		return UINT64_MAX;
	}
	v = ld(*p, size);
	*p += size;
	return v;
}

/* _PRT: 128 Packages {slot << 16 | 0xffff, pin, 0, gsi}, exactly what
 * acpi_pci_intx_gsi() says. */
static void check_prt(const uint8_t *dsdt, size_t len)
{
	size_t at = find(dsdt, len, "_PRT");
	const uint8_t *p, *end;
	unsigned int n, entries = 0;

	CHECK(at);
	if (!at)
		return;
	p = dsdt + at - 1;
	CHECK_EQ_U64(p[0], 0x08);		/* NameOp */
	p += 5;
	CHECK_EQ_U64(p[0], 0x12);		/* PackageOp */
	end = p + 1 + pkglen(p + 1, &n);
	CHECK(end <= dsdt + len);
	p += 1 + n;
	CHECK_EQ_U64(*p++, 128);
	for (unsigned int slot = 0; slot < 32; slot++) {
		for (unsigned int pin = 0; pin < 4 && p < end; pin++) {
			const uint8_t *e;

			CHECK_EQ_U64(*p++, 0x12);
			e = p + pkglen(p, &n);
			p += n;
			CHECK_EQ_U64(*p++, 4);
			CHECK_EQ_U64(integer(&p), (uint64_t)slot << 16 | 0xffff);
			CHECK_EQ_U64(integer(&p), pin);
			CHECK_EQ_U64(integer(&p), 0);
			CHECK_EQ_U64(integer(&p), acpi_pci_intx_gsi(slot, pin));
			CHECK(p == e);
			entries++;
		}
	}
	CHECK_EQ_U64(entries, 128);
	CHECK(p == end);
}

/* A Device SLnn with _ADR slot << 16 and _SUN slot for each described
 * slot, and none for the others. */
static void check_slots(const uint8_t *d, size_t len,
			const struct acpi_platform *pf)
{
	for (unsigned int slot = 0; slot < 32; slot++) {
		char name[5];
		size_t at;
		const uint8_t *p;

		snprintf(name, sizeof(name), "SL%02X", slot);
		at = find(d, len, name);
		CHECK(!at == !(pf->pci_slots & (1u << slot)));
		if (!at)
			continue;
		p = d + at + 4;
		CHECK(!memcmp(p, "\x08_ADR", 5));
		p += 5;
		CHECK_EQ_U64(integer(&p), (uint64_t)slot << 16);
		CHECK(!memcmp(p, "\x08_SUN", 5));
		p += 5;
		CHECK_EQ_U64(integer(&p), slot);
	}
}

static void check_dsdt(const uint8_t *d, const struct acpi_platform *pf)
{
	uint32_t len = ld(d + 4, 4);
	static const uint8_t s5[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12,
				      0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05,
				      0x00, 0x00 };
	static const uint8_t pnp0a08[] = { '_', 'H', 'I', 'D', 0x0c, 0x41,
					   0xd0, 0x0a, 0x08 };
	static const uint8_t pnp0c02[] = { '_', 'H', 'I', 'D', 0x0c, 0x41,
					   0xd0, 0x0c, 0x02 };
	uint8_t ecam[12] = { 0x86, 0x09, 0x00, 0x01 };
	uint8_t mmio32[12];

	CHECK_EQ_U64(d[8], 2);
	CHECK(find(d, len, "\\_SB_"));
	CHECK(find(d, len, "PCI0"));
	CHECK(find(d, len, "MRES"));
	CHECK(find(d, len, "_CRS"));
	CHECK(find(d, len, "_SEG"));
	CHECK(find(d, len, "_BBN"));
	CHECK(find(d, len, "_CID"));
	CHECK(memmem(d, len, s5, sizeof(s5)));
	CHECK(memmem(d, len, pnp0a08, sizeof(pnp0a08)));
	CHECK(memmem(d, len, pnp0c02, sizeof(pnp0c02)));
	/* Memory32Fixed for the ECAM window. */
	le_store(ecam + 4, 4, pf->ecam_base);
	le_store(ecam + 8, 4, (pf->pci_bus_end + 1) << 20);
	CHECK(memmem(d, len, ecam, sizeof(ecam)));
	/* The 32-bit window's _MIN and _MAX. */
	le_store(mmio32, 4, pf->mmio32.base);
	le_store(mmio32 + 4, 4, pf->mmio32.base + pf->mmio32.size - 1);
	CHECK(memmem(d, len, mmio32, 8));
	/* A QWordMemory only with a 64-bit window. */
	CHECK(!memmem(d, len, (uint8_t[]){ 0x8a, 0x2b, 0x00 }, 3) ==
	      !pf->mmio64.size);
	check_prt(d, len);
	check_slots(d, len, pf);
}

static void check_fadt(const uint8_t *f, const struct acpi_platform *pf)
{
	uint64_t facs_gpa = ld(f + 36, 4);
	uint32_t flags = ld(f + 112, 4);
	const uint8_t *facs, *dsdt;

	CHECK_EQ_U64(ld(f + 4, 4), 276);
	CHECK_EQ_U64(f[8], 6);
	CHECK_EQ_U64(ld(f + 46, 2), 9);			/* SCI_INT */
	CHECK_EQ_U64(ld(f + 48, 4), 0);			/* SMI_CMD */
	CHECK_EQ_U64(ld(f + 56, 4), 0x600);		/* PM1a_EVT_BLK */
	CHECK_EQ_U64(ld(f + 64, 4), 0x604);		/* PM1a_CNT_BLK */
	CHECK_EQ_U64(ld(f + 76, 4), 0);			/* no PM timer */
	CHECK_EQ_U64(f[88], 4);
	CHECK_EQ_U64(f[89], 2);
	CHECK_EQ_U64(ACPI_PM_BASE + ACPI_PM_EVT_OFFSET, 0x600);
	CHECK_EQ_U64(ACPI_PM_BASE + ACPI_PM_CNT_OFFSET, 0x604);
	/* Fixed features: reset register, no fixed buttons, not reduced. */
	CHECK(flags & (1u << 10));
	CHECK(flags & (1u << 4));
	CHECK(flags & (1u << 5));
	CHECK(!(flags & (1u << 20)));
	/* IAPC_BOOT_ARCH: MSI allowed, no 8042, no RTC unless asked for. */
	CHECK(!(ld(f + 109, 2) & (1u << 3)));
	CHECK(!(ld(f + 109, 2) & (1u << 1)));
	CHECK_EQ_U64(!!(ld(f + 109, 2) & (1u << 5)), !pf->cmos_rtc);
	/* RESET_REG: one byte at port 0x608, value 1. */
	CHECK_EQ_U64(f[116], 1);
	CHECK_EQ_U64(f[117], 8);
	CHECK_EQ_U64(f[118], 0);
	CHECK_EQ_U64(ld(f + 120, 8), 0x608);
	CHECK_EQ_U64(f[128], 1);
	CHECK_EQ_U64(ld(f + 120, 8), ACPI_PM_BASE + ACPI_PM_RESET_OFFSET);
	CHECK_EQ_U64(f[128], ACPI_PM_RESET_VALUE);
	/* The 64-bit fields agree with the 32-bit ones. */
	CHECK_EQ_U64(ld(f + 132, 8), 0);		/* X_FIRMWARE_CTRL */
	CHECK_EQ_U64(ld(f + 140, 8), ld(f + 40, 4));	/* X_DSDT */
	CHECK_EQ_U64(f[148], 1);
	CHECK_EQ_U64(f[149], 32);
	CHECK_EQ_U64(ld(f + 152, 8), 0x600);
	CHECK_EQ_U64(f[172], 1);
	CHECK_EQ_U64(f[173], 16);
	CHECK_EQ_U64(ld(f + 176, 8), 0x604);
	CHECK_EQ_U64(ld(f + 208 + 4, 8), 0);		/* X_PM_TMR_BLK */

	/* FACS: 64 bytes, 64-byte aligned, inside the buffer. */
	CHECK(facs_gpa >= GPA && facs_gpa + 64 <= GPA + used);
	if (facs_gpa >= GPA && facs_gpa + 64 <= GPA + used) {
		facs = buf + (facs_gpa - GPA);
		CHECK(!memcmp(facs, "FACS", 4));
		CHECK_EQ_U64(ld(facs + 4, 4), 64);
		CHECK_EQ_U64(facs_gpa % 64, 0);
		CHECK_EQ_U64(facs[32], 2);
	}
	dsdt = table(ld(f + 40, 4), "DSDT");
	if (dsdt)
		check_dsdt(dsdt, pf);
}

static void check_madt(const uint8_t *m, const struct acpi_platform *pf)
{
	uint32_t len = ld(m + 4, 4);
	unsigned int lapics = 0, ioapics = 0, isos = 0, nmis = 0, other = 0;
	bool iso0 = false, iso9 = false;

	CHECK_EQ_U64(ld(m + 36, 4), 0xfee00000);
	CHECK_EQ_U64(ld(m + 40, 4), 1);		/* PCAT_COMPAT */
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = m + off;

		CHECK(e[1] >= 2 && off + e[1] <= len);
		if (e[1] < 2 || off + e[1] > len)
			break;
		switch (e[0]) {
		case 0:
			CHECK_EQ_U64(e[1], 8);
			CHECK_EQ_U64(e[2], lapics);	/* UID */
			CHECK_EQ_U64(e[3], lapics);	/* APIC ID */
			CHECK_EQ_U64(ld(e + 4, 4), 1);	/* enabled */
			lapics++;
			break;
		case 1:
			CHECK_EQ_U64(e[1], 12);
			CHECK_EQ_U64(e[2], 0);
			CHECK_EQ_U64(ld(e + 4, 4), 0xfec00000);
			CHECK_EQ_U64(ld(e + 8, 4), 0);
			ioapics++;
			break;
		case 2:
			CHECK_EQ_U64(e[1], 10);
			CHECK_EQ_U64(e[2], 0);		/* ISA */
			if (e[3] == 0) {
				CHECK_EQ_U64(ld(e + 4, 4), 2);
				CHECK_EQ_U64(ld(e + 8, 2), 0x0004);
				iso0 = true;
			} else if (e[3] == 9) {
				CHECK_EQ_U64(ld(e + 4, 4), 9);
				CHECK_EQ_U64(ld(e + 8, 2), 0x000d);
				iso9 = true;
			}
			isos++;
			break;
		case 4:
			CHECK_EQ_U64(e[1], 6);
			CHECK_EQ_U64(e[2], 0xff);
			CHECK_EQ_U64(e[5], 1);		/* LINT1 */
			nmis++;
			break;
		default:
			other++;
		}
		off += e[1];
	}
	CHECK_EQ_U64(lapics, pf->ncpus);
	CHECK_EQ_U64(ioapics, 1);
	CHECK_EQ_U64(isos, 2);
	CHECK(iso0 && iso9);
	CHECK_EQ_U64(nmis, 1);
	CHECK_EQ_U64(other, 0);
}

static void check_mcfg(const uint8_t *m, const struct acpi_platform *pf)
{
	CHECK_EQ_U64(ld(m + 4, 4), 60);
	CHECK_EQ_U64(ld(m + 44, 8), 0xe0000000);
	CHECK_EQ_U64(ld(m + 52, 2), 0);
	CHECK_EQ_U64(m[54], 0);
	CHECK_EQ_U64(m[55], pf->pci_bus_end);
}

static void build_and_check(const struct acpi_platform *pf)
{
	uint64_t rsdp = 0, xsdt_gpa;
	const uint8_t *xsdt, *t;
	char err[256] = "";
	unsigned int fadt = 0, madt = 0, mcfg = 0;

	memset(buf, 0xaa, sizeof(buf));
	CHECK(!acpi_build(pf, GPA, buf, sizeof(buf), &used, &rsdp, err,
			  sizeof(err)));
	if (err[0])
		fprintf(stderr, "acpi_build: %s\n", err);
	CHECK_EQ_U64(rsdp, GPA);
	CHECK(used > 36 && used <= sizeof(buf));
	if (used <= 36 || used > sizeof(buf))
		return;
	CHECK(used == sizeof(buf) || buf[used] == 0xaa);

	/* RSDP: both checksums, revision 2, the XSDT. */
	CHECK(!memcmp(buf, "RSD PTR ", 8));
	CHECK_EQ_U64(sum(buf, 20), 0);
	CHECK_EQ_U64(sum(buf, 36), 0);
	CHECK_EQ_U64(buf[15], 2);
	CHECK_EQ_U64(ld(buf + 20, 4), 36);
	xsdt_gpa = ld(buf + 24, 8);
	xsdt = table(xsdt_gpa, "XSDT");
	if (!xsdt)
		return;
	CHECK_EQ_U64(xsdt_gpa % 8, 0);
	CHECK_EQ_U64((ld(xsdt + 4, 4) - 36) % 8, 0);
	for (uint32_t off = 36; off + 8 <= ld(xsdt + 4, 4); off += 8) {
		uint64_t gpa = ld(xsdt + off, 8);
		const uint8_t *p = gpa >= GPA && gpa < GPA + used ?
				   buf + (gpa - GPA) : NULL;

		CHECK(p != NULL);
		if (!p)
			continue;
		if (!memcmp(p, "FACP", 4)) {
			fadt++;
			t = table(gpa, "FACP");
			if (t)
				check_fadt(t, pf);
		} else if (!memcmp(p, "APIC", 4)) {
			madt++;
			t = table(gpa, "APIC");
			if (t)
				check_madt(t, pf);
		} else if (!memcmp(p, "MCFG", 4)) {
			mcfg++;
			t = table(gpa, "MCFG");
			if (t)
				check_mcfg(t, pf);
		} else {
			CHECK(!"a known table in the XSDT");
		}
	}
	CHECK_EQ_U64(fadt, 1);
	CHECK_EQ_U64(madt, 1);
	CHECK_EQ_U64(mcfg, 1);
}

static void test_tables(void)
{
	static const unsigned int cpus[] = { 1, 2, 255 };
	struct acpi_platform p;

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		acpi_platform_default(&p, cpus[i]);
		build_and_check(&p);
	}
	/* A 64-bit window, all 256 buses, an RTC. */
	acpi_platform_default(&p, 4);
	p.mmio64.base = 0x8000000000ull;
	p.mmio64.size = 0x4000000000ull;
	p.pci_bus_end = 255;
	p.cmos_rtc = true;
	p.pci_slots = 1u << 1 | 1u << 16 | 1u << 31;
	build_and_check(&p);
}

/* ---- refusals ------------------------------------------------------------- */

static void refused(const struct acpi_platform *p, uint64_t gpa, size_t size,
		    const char *why)
{
	char err[256] = "";
	size_t u = 12345;
	uint64_t r = 6789;

	CHECK(acpi_build(p, gpa, buf, size, &u, &r, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, why);
	CHECK(!strchr(err, '\n'));
	CHECK_EQ_U64(u, 12345);
	CHECK_EQ_U64(r, 6789);
}

static void test_refusals(void)
{
	struct acpi_platform p, d;
	char err[256];
	size_t u;
	uint64_t r;

	acpi_platform_default(&d, 1);

	p = d;
	p.ncpus = 0;
	refused(&p, GPA, sizeof(buf), "0 vCPUs");
	p.ncpus = 256;
	refused(&p, GPA, sizeof(buf), "256 vCPUs");

	/* 255 vCPUs do not fit 4 KiB; one does. */
	acpi_platform_default(&p, 255);
	refused(&p, GPA, 4096, "need");
	CHECK(!acpi_build(&d, GPA, buf, 4096, &u, &r, err, sizeof(err)));

	refused(&d, GPA + 8, sizeof(buf), "16-byte aligned");
	refused(&d, 1ull << 32, sizeof(buf), "below 4 GiB");
	refused(&d, 0xffffff00, sizeof(buf), "need");

	p = d;
	p.mmio32.size += 0x100000;	/* into ECAM */
	refused(&p, GPA, sizeof(buf), "overlaps the ECAM window");
	p = d;
	p.mmio32.size = 0;
	refused(&p, GPA, sizeof(buf), "32-bit PCI MMIO window");
	p = d;
	p.mmio64.base = 0xf0000000;
	p.mmio64.size = 0x20000000;
	refused(&p, GPA, sizeof(buf), "above 4 GiB");
	p = d;
	p.mmio64.base = UINT64_MAX - 0xfff;
	p.mmio64.size = 0x2000;
	refused(&p, GPA, sizeof(buf), "above 4 GiB");
	p = d;
	p.pci_bus_end = 255;
	p.ecam_base = 0xf0000000;	/* 256 MiB: over the IOAPIC */
	refused(&p, GPA, sizeof(buf), "overlaps the IOAPIC");
	p = d;
	p.ecam_base = 0xe0080000;
	refused(&p, GPA, sizeof(buf), "1 MiB aligned");
	p = d;
	p.ioapic_base = 0xfec00800;
	refused(&p, GPA, sizeof(buf), "4 KiB pages");
	p = d;
	p.ioapic_pins = 16;
	refused(&p, GPA, sizeof(buf), "16 pins");
	p = d;
	p.sci_irq = 2;
	refused(&p, GPA, sizeof(buf), "IRQ 2");

	p = d;
	p.pio.base = 0xc00;
	refused(&p, GPA, sizeof(buf), "PCI I/O window");
	p = d;
	p.pio.size = 0x4001;
	refused(&p, GPA, sizeof(buf), "PCI I/O window");
	p = d;
	p.pm1a_evt_port = 0xc000;
	refused(&p, GPA, sizeof(buf), "PM1a_EVT_BLK");
	p = d;
	p.reset_port = p.pm1a_cnt_port + 1;
	refused(&p, GPA, sizeof(buf), "overlaps the reset register");
	p = d;
	p.pm1a_cnt_port = 0xcfe;
	refused(&p, GPA, sizeof(buf), "PCI configuration ports");
	p = d;
	p.pm1a_evt_port = 0xfffe;
	refused(&p, GPA, sizeof(buf), "fit in I/O space");
	/* A table area over MMIO. */
	refused(&d, 0xdffff000, 0x2000, "the ACPI tables");
}

int main(void)
{
	test_pkglen();
	test_package_sizes();
	test_big_scope();
	test_integers();
	test_names();
	test_resources();
	test_tables();
	test_refusals();

	/* acpi_pci_intx_gsi(): rotated over GSIs 16-23. */
	CHECK_EQ_U64(acpi_pci_intx_gsi(0, 0), 16);
	CHECK_EQ_U64(acpi_pci_intx_gsi(1, 3), 20);
	CHECK_EQ_U64(acpi_pci_intx_gsi(7, 1), 16);
	CHECK_EQ_U64(acpi_pci_intx_gsi(31, 3), 18);
	return check_report("acpi");
}
