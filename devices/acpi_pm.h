/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI fixed hardware power management registers (ACPI 6.5 section 4.8,
 * "ACPI Register Model"; the tables cited below are that section's):
 * the PM1a event block (PM1_STS, PM1_EN), the PM1a control block and the
 * FADT reset register, in one 16-port range:
 *
 *   offset 0-1  PM1a_STS   status, write 1 to clear (Table 4.16)
 *   offset 2-3  PM1a_EN    enable (Table 4.17)
 *   offset 4-5  PM1a_CNT   control (Table 4.18)
 *   offset 8    RESET_REG  writing ACPI_PM_RESET_VALUE resets (FADT,
 *                          section 5.2.9, and section 4.8 "Reset Register")
 *   others      reserved: read 0, writes ignored
 *
 * The FADT (vmm/boot/acpi.c) describes exactly these offsets. Accesses of
 * any size at any offset are handled byte by byte, as if the guest had
 * made one access per byte, in ascending order.
 *
 * ACPI is always enabled (the FADT's SMI_CMD is 0), so PM1_CNT.SCI_EN
 * reads 1. Setting SLP_EN with SLP_TYP = ACPI_PM_SLP_TYP_S5 (the \_S5
 * value of the DSDT) requests EXIT_GUEST_DONE; other sleep types are
 * ignored. ursa has no fixed power or sleep button and no PM timer, so
 * nothing sets a status bit except acpi_pm_set_status().
 */
#ifndef URSA_DEVICES_ACPI_PM_H
#define URSA_DEVICES_ACPI_PM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"

#define ACPI_PM_NR_PORTS	16
#define ACPI_PM_EVT_OFFSET	0	/* PM1a_EVT_BLK: STS, then EN */
#define ACPI_PM_EVT_LEN		4
#define ACPI_PM_CNT_OFFSET	4	/* PM1a_CNT_BLK */
#define ACPI_PM_CNT_LEN		2
#define ACPI_PM_RESET_OFFSET	8	/* RESET_REG, one byte */
#define ACPI_PM_RESET_VALUE	1
/* The SLP_TYP that the DSDT's \_S5 names (ACPI 6.5 section 7.4.2,
 * \_Sx System States). */
#define ACPI_PM_SLP_TYP_S5	5

/* PM1 status bits (Table 4.16, PM1 Status Registers Fixed Hardware
 * Feature Status Bits). */
#define ACPI_PM1_STS_TMR	(1u << 0)
#define ACPI_PM1_STS_BM		(1u << 4)
#define ACPI_PM1_STS_GBL	(1u << 5)
#define ACPI_PM1_STS_PWRBTN	(1u << 8)
#define ACPI_PM1_STS_SLPBTN	(1u << 9)
#define ACPI_PM1_STS_RTC	(1u << 10)
#define ACPI_PM1_STS_PCIEXP_WAKE (1u << 14)
#define ACPI_PM1_STS_WAK	(1u << 15)
/* PM1 enable bits (Table 4.17): the same positions as their status. */
#define ACPI_PM1_EN_MASK	0x4721u
/* PM1 control bits (Table 4.18). */
#define ACPI_PM1_CNT_SCI_EN	(1u << 0)
#define ACPI_PM1_CNT_BM_RLD	(1u << 1)
#define ACPI_PM1_CNT_GBL_RLS	(1u << 2)
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10
#define ACPI_PM1_CNT_SLP_TYP	(7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN	(1u << 13)

struct acpi_pm {
	/* Called on the writing vCPU's thread with EXIT_GUEST_DONE (S5) or
	 * EXIT_GUEST_RESET, without the device lock held. */
	void (*request_exit)(void *opaque, int status);
	/* Optional (may be NULL): the SCI level, asserted while a status
	 * bit and its enable bit are both set. Called under the lock. */
	void (*set_sci)(void *opaque, bool level);
	void *opaque;

	pthread_mutex_t lock;
	uint16_t sts, en, cnt;	/* cnt keeps BM_RLD and SLP_TYP */
	bool sci;
};

extern const struct bus_ops acpi_pm_ops;

void acpi_pm_init(struct acpi_pm *pm, void (*request_exit)(void *, int),
		  void (*set_sci)(void *, bool), void *opaque);
void acpi_pm_destroy(struct acpi_pm *pm);

/* Latch status bits (an event happened); raises the SCI if enabled. */
void acpi_pm_set_status(struct acpi_pm *pm, uint16_t bits);

#endif
