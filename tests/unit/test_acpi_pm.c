// SPDX-License-Identifier: GPL-2.0-only
/* ACPI PM1a and reset register semantics, driven through bus_ops as a
 * guest (Linux's poweroff and reboot paths) would. */
#include "check.h"
#include "devices/acpi_pm.h"
#include "vmm/bytes.h"
#include "vmm/exit_status.h"

static struct acpi_pm pm;
static int exits, last_status = -1;
static int sci_changes;
static bool sci;

static void request_exit(void *opaque, int status)
{
	CHECK(opaque == &pm);
	exits++;
	last_status = status;
}

static void set_sci(void *opaque, bool level)
{
	CHECK(opaque == &pm);
	CHECK(level != sci);
	sci = level;
	sci_changes++;
}

static uint64_t rd(unsigned int off, unsigned int size)
{
	uint8_t d[8];

	memset(d, 0x5a, sizeof(d));
	acpi_pm_ops.read(&pm, off, d, size);
	return le_load(d, size);
}

static void wr(unsigned int off, unsigned int size, uint64_t v)
{
	uint8_t d[8];

	le_store(d, size, v);
	acpi_pm_ops.write(&pm, off, d, size);
}

#define STS	ACPI_PM_EVT_OFFSET
#define EN	(ACPI_PM_EVT_OFFSET + 2)
#define CNT	ACPI_PM_CNT_OFFSET
#define RST	ACPI_PM_RESET_OFFSET
#define SLP(typ) ((typ) << ACPI_PM1_CNT_SLP_TYP_SHIFT)

int main(void)
{
	acpi_pm_init(&pm, request_exit, set_sci, &pm);

	/* ACPI mode from the start: SCI_EN reads 1 and cannot be cleared. */
	CHECK_EQ_U64(rd(CNT, 2), ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ_U64(rd(CNT, 1), ACPI_PM1_CNT_SCI_EN);
	wr(CNT, 2, 0);
	CHECK_EQ_U64(rd(CNT, 2) & ACPI_PM1_CNT_SCI_EN, ACPI_PM1_CNT_SCI_EN);
	/* BM_RLD is kept, GBL_RLS is write-only. */
	wr(CNT, 2, ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_GBL_RLS);
	CHECK_EQ_U64(rd(CNT, 2), ACPI_PM1_CNT_SCI_EN | ACPI_PM1_CNT_BM_RLD);
	wr(CNT, 2, 0);

	/* Linux's S5 entry: SLP_TYP alone, then SLP_TYP | SLP_EN. */
	wr(CNT, 2, SLP(5) | ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ_U64(exits, 0);
	CHECK_EQ_U64(rd(CNT, 2), SLP(5) | ACPI_PM1_CNT_SCI_EN);	/* SLP_EN reads 0 */
	wr(CNT, 2, SLP(5) | ACPI_PM1_CNT_SLP_EN | ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ_U64(exits, 1);
	CHECK_EQ_U64(last_status, EXIT_GUEST_DONE);
	CHECK_EQ_U64(rd(CNT, 2) & ACPI_PM1_CNT_SLP_EN, 0);

	/* Other sleep types are ignored, with or without SLP_EN. */
	for (unsigned int typ = 0; typ < 8; typ++) {
		if (typ == ACPI_PM_SLP_TYP_S5)
			continue;
		wr(CNT, 2, SLP(typ) | ACPI_PM1_CNT_SLP_EN);
		CHECK_EQ_U64(rd(CNT, 2), SLP(typ) | ACPI_PM1_CNT_SCI_EN);
	}
	CHECK_EQ_U64(exits, 1);

	/* SLP_TYP and SLP_EN share the high byte: a 1-byte write works. */
	wr(CNT + 1, 1, (SLP(5) | ACPI_PM1_CNT_SLP_EN) >> 8);
	CHECK_EQ_U64(exits, 2);
	CHECK_EQ_U64(last_status, EXIT_GUEST_DONE);
	/* ...and so does a 4-byte write reaching it from offset 2. */
	wr(EN, 4, (uint64_t)(SLP(5) | ACPI_PM1_CNT_SLP_EN) << 16);
	CHECK_EQ_U64(exits, 3);
	CHECK_EQ_U64(last_status, EXIT_GUEST_DONE);
	CHECK_EQ_U64(rd(EN, 2), 0);

	/* Reset: RESET_VALUE at the reset register, as one byte or as the
	 * low byte of a wider write; other values do nothing. */
	exits = 0;
	wr(RST, 1, ACPI_PM_RESET_VALUE);
	CHECK_EQ_U64(exits, 1);
	CHECK_EQ_U64(last_status, EXIT_GUEST_RESET);
	wr(RST, 1, 2);
	wr(RST, 1, 0);
	wr(RST, 1, 0xff);
	CHECK_EQ_U64(exits, 1);
	wr(RST, 2, 0x0001);
	CHECK_EQ_U64(exits, 2);
	CHECK_EQ_U64(last_status, EXIT_GUEST_RESET);
	wr(RST - 2, 4, 0x00010000);		/* offset 6: byte 8 = 1 */
	CHECK_EQ_U64(exits, 3);
	wr(RST - 1, 2, 0x0100);			/* offset 7: byte 8 = 1 */
	CHECK_EQ_U64(exits, 4);
	wr(RST - 1, 2, 0x0001);			/* the 1 lands on offset 7 */
	CHECK_EQ_U64(exits, 4);
	CHECK_EQ_U64(rd(RST, 1), 0);
	/* The first request of one access wins. */
	wr(CNT + 1, 4, 0x01000000 | ((SLP(5) | ACPI_PM1_CNT_SLP_EN) >> 8));
	CHECK_EQ_U64(exits, 5);
	CHECK_EQ_U64(last_status, EXIT_GUEST_DONE);

	/* Status bits latch until written with 1 (write-1-to-clear). */
	exits = 0;
	CHECK_EQ_U64(rd(STS, 2), 0);
	acpi_pm_set_status(&pm, ACPI_PM1_STS_PWRBTN | ACPI_PM1_STS_WAK);
	CHECK_EQ_U64(rd(STS, 2), ACPI_PM1_STS_PWRBTN | ACPI_PM1_STS_WAK);
	CHECK_EQ_U64(sci_changes, 0);		/* not enabled: no SCI */
	wr(STS, 2, 0);
	CHECK_EQ_U64(rd(STS, 2), ACPI_PM1_STS_PWRBTN | ACPI_PM1_STS_WAK);
	wr(STS, 2, ACPI_PM1_STS_WAK);
	CHECK_EQ_U64(rd(STS, 2), ACPI_PM1_STS_PWRBTN);
	CHECK_EQ_U64(rd(STS + 1, 1), ACPI_PM1_STS_PWRBTN >> 8);

	/* Enable: only defined bits stick; status & enable raises the SCI
	 * (level) until the status is cleared or the enable dropped. */
	wr(EN, 2, 0xffff);
	CHECK_EQ_U64(rd(EN, 2), ACPI_PM1_EN_MASK);
	CHECK(sci);
	wr(EN, 2, 0);
	CHECK(!sci);
	wr(EN + 1, 1, ACPI_PM1_STS_PWRBTN >> 8);
	CHECK(sci);
	wr(STS + 1, 1, ACPI_PM1_STS_PWRBTN >> 8);
	CHECK(!sci);
	CHECK_EQ_U64(rd(STS, 2), 0);
	CHECK_EQ_U64(sci_changes, 4);
	acpi_pm_set_status(&pm, ACPI_PM1_STS_PWRBTN);
	CHECK(sci);
	/* One dword: clear the status, rewrite the enable. */
	wr(STS, 4, 0xffff | (uint64_t)ACPI_PM1_STS_PWRBTN << 16);
	CHECK(!sci);
	CHECK_EQ_U64(rd(EN, 2), ACPI_PM1_STS_PWRBTN);
	CHECK_EQ_U64(exits, 0);

	/* Odd sizes and offsets: registers read byte by byte; reserved
	 * offsets read 0 and ignore writes. */
	wr(CNT, 2, 0);
	CHECK_EQ_U64(rd(STS, 4), (uint64_t)ACPI_PM1_STS_PWRBTN << 16);
	CHECK_EQ_U64(rd(EN + 1, 2), (ACPI_PM1_STS_PWRBTN >> 8) |
		     ACPI_PM1_CNT_SCI_EN << 8);
	CHECK_EQ_U64(rd(CNT, 4), ACPI_PM1_CNT_SCI_EN);
	CHECK_EQ_U64(rd(CNT + 1, 1), 0);
	CHECK_EQ_U64(rd(6, 2), 0);
	CHECK_EQ_U64(rd(12, 4), 0);
	CHECK_EQ_U64(rd(15, 1), 0);
	CHECK_EQ_U64(rd(9, 4), 0);
	wr(9, 4, 0xffffffff);
	wr(12, 4, 0x01010101);
	wr(6, 2, 0xffff);
	wr(15, 1, 1);
	CHECK_EQ_U64(exits, 0);
	CHECK_EQ_U64(rd(STS, 4), (uint64_t)ACPI_PM1_STS_PWRBTN << 16);
	CHECK_EQ_U64(rd(CNT, 2), ACPI_PM1_CNT_SCI_EN);

	/* Without an SCI callback, nothing breaks. */
	acpi_pm_destroy(&pm);
	acpi_pm_init(&pm, request_exit, NULL, &pm);
	wr(EN, 2, ACPI_PM1_STS_PWRBTN);
	acpi_pm_set_status(&pm, ACPI_PM1_STS_PWRBTN);
	CHECK(pm.sci);
	wr(STS, 2, 0xffff);
	CHECK(!pm.sci);
	acpi_pm_destroy(&pm);
	return check_report("acpi_pm");
}
