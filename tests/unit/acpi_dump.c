// SPDX-License-Identifier: GPL-2.0-only
/*
 * Write the ACPI tables acpi_build() produces to DIR, one file per table
 * (rsdp.dat, xsdt.dat, facp.dat, facs.dat, apic.dat, mcfg.dat, dsdt.dat),
 * for acpi_iasl_test.py to disassemble with iasl. Usage:
 *   acpi_dump DIR [NCPUS]
 * The platform is acpi_platform_default() plus a 64-bit MMIO window, so
 * that every _CRS descriptor kind appears.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot/acpi.h"
#include "vmm/bytes.h"

static uint8_t buf[ACPI_TABLES_SIZE];

static int dump(const char *dir, const char *name, uint64_t gpa, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	if (gpa < ACPI_TABLES_GPA || gpa - ACPI_TABLES_GPA + len > sizeof(buf)) {
		fprintf(stderr, "acpi_dump: %s at 0x%llx is outside the buffer\n",
			name, (unsigned long long)gpa);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	ok = fwrite(buf + (gpa - ACPI_TABLES_GPA), 1, len, f) == len;
	ok &= !fclose(f);
	return ok ? 0 : -1;
}

static uint64_t ld(uint64_t gpa, unsigned int size)
{
	return le_load(buf + (gpa - ACPI_TABLES_GPA), size);
}

static int dump_table(const char *dir, const char *name, uint64_t gpa)
{
	return dump(dir, name, gpa, ld(gpa + 4, 4));
}

int main(int argc, char **argv)
{
	struct acpi_platform p;
	uint64_t rsdp, xsdt, fadt = 0;
	size_t used;
	char err[256];
	int ret = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: acpi_dump DIR [NCPUS]\n");
		return 2;
	}
	acpi_platform_default(&p, argc > 2 ? atoi(argv[2]) : 2);
	p.mmio64.base = 0x8000000000ull;
	p.mmio64.size = 0x8000000000ull;
	if (acpi_build(&p, ACPI_TABLES_GPA, buf, sizeof(buf), &used, &rsdp,
		       err, sizeof(err))) {
		fprintf(stderr, "acpi_dump: %s\n", err);
		return 1;
	}
	xsdt = ld(rsdp + 24, 8);
	ret |= dump(argv[1], "rsdp", rsdp, 36);
	ret |= dump_table(argv[1], "xsdt", xsdt);
	for (uint64_t e = xsdt + 36; e < xsdt + ld(xsdt + 4, 4); e += 8) {
		uint64_t t = ld(e, 8);
		char name[5] = { 0 };

		for (int i = 0; i < 4; i++)
			name[i] = buf[t - ACPI_TABLES_GPA + i] | 0x20;
		if (!memcmp(name, "facp", 4))
			fadt = t;
		ret |= dump_table(argv[1], name, t);
	}
	if (!fadt) {
		fprintf(stderr, "acpi_dump: no FADT in the XSDT\n");
		return 1;
	}
	ret |= dump_table(argv[1], "facs", ld(fadt + 36, 4));
	ret |= dump_table(argv[1], "dsdt", ld(fadt + 140, 8));
	return ret ? 1 : 0;
}
