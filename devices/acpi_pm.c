// SPDX-License-Identifier: GPL-2.0-only
/* ACPI PM1a event/control blocks and the reset register: see acpi_pm.h. */
#include "devices/acpi_pm.h"
#include "vmm/exit_status.h"

void acpi_pm_init(struct acpi_pm *pm, void (*request_exit)(void *, int),
		  void (*set_sci)(void *, bool), void *opaque)
{
	*pm = (struct acpi_pm){
		.request_exit = request_exit,
		.set_sci = set_sci,
		.opaque = opaque,
	};
	pthread_mutex_init(&pm->lock, NULL);
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}

/*
 * The SCI is level-triggered (the MADT overrides ISA IRQ 9 to level,
 * active high): it stays asserted while any PM1 status bit is set
 * together with its enable bit (ACPI 6.5 section 4.8, PM1 event
 * grouping). Called with the lock held.
 */
static void update_sci(struct acpi_pm *pm)
{
	bool level = pm->sts & pm->en;

	if (level != pm->sci) {
		pm->sci = level;
		if (pm->set_sci)
			pm->set_sci(pm->opaque, level);
	}
}

void acpi_pm_set_status(struct acpi_pm *pm, uint16_t bits)
{
	pthread_mutex_lock(&pm->lock);
	pm->sts |= bits;
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
}

static uint8_t read_byte(const struct acpi_pm *pm, unsigned int off)
{
	uint16_t cnt = pm->cnt | ACPI_PM1_CNT_SCI_EN;

	switch (off) {
	case ACPI_PM_EVT_OFFSET:
	case ACPI_PM_EVT_OFFSET + 1:
		return pm->sts >> (8 * (off - ACPI_PM_EVT_OFFSET));
	case ACPI_PM_EVT_OFFSET + 2:
	case ACPI_PM_EVT_OFFSET + 3:
		return pm->en >> (8 * (off - ACPI_PM_EVT_OFFSET - 2));
	case ACPI_PM_CNT_OFFSET:
	case ACPI_PM_CNT_OFFSET + 1:
		/* SLP_EN and GBL_RLS are write-only and read 0; pm->cnt
		 * never holds them. */
		return cnt >> (8 * (off - ACPI_PM_CNT_OFFSET));
	default:
		/* Reserved ports, and the reset register, read 0. */
		return 0;
	}
}

/* Returns the exit status a write asks for, or -1. */
static int write_byte(struct acpi_pm *pm, unsigned int off, uint8_t v)
{
	unsigned int shift;
	uint16_t cnt;

	switch (off) {
	case ACPI_PM_EVT_OFFSET:
	case ACPI_PM_EVT_OFFSET + 1:
		/* Status bits are cleared by writing 1; 0 leaves them. */
		shift = 8 * (off - ACPI_PM_EVT_OFFSET);
		pm->sts &= ~(v << shift);
		return -1;
	case ACPI_PM_EVT_OFFSET + 2:
	case ACPI_PM_EVT_OFFSET + 3:
		shift = 8 * (off - ACPI_PM_EVT_OFFSET - 2);
		pm->en = (pm->en & ~(0xff << shift)) |
			 ((v << shift) & ACPI_PM1_EN_MASK);
		return -1;
	case ACPI_PM_CNT_OFFSET:
		/* SCI_EN is fixed at 1 (no legacy mode to return to);
		 * GBL_RLS would hand the global lock to firmware, which
		 * ursa does not have. Only BM_RLD is kept. */
		pm->cnt = (pm->cnt & 0xff00) | (v & ACPI_PM1_CNT_BM_RLD);
		return -1;
	case ACPI_PM_CNT_OFFSET + 1:
		cnt = (uint16_t)v << 8;
		pm->cnt = (pm->cnt & 0x00ff) | (cnt & ACPI_PM1_CNT_SLP_TYP);
		/*
		 * SLP_EN makes the hardware enter the sleep state SLP_TYP
		 * selects (Table 4.18). Only S5, soft off, is implemented:
		 * the VM ends. OSPM writes SLP_TYP first, then SLP_TYP with
		 * SLP_EN; both are in this byte.
		 */
		if ((cnt & ACPI_PM1_CNT_SLP_EN) &&
		    (cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT ==
		    ACPI_PM_SLP_TYP_S5)
			return EXIT_GUEST_DONE;
		return -1;
	case ACPI_PM_RESET_OFFSET:
		/* The FADT's RESET_REG and RESET_VALUE: other values do
		 * nothing. */
		return v == ACPI_PM_RESET_VALUE ? EXIT_GUEST_RESET : -1;
	default:
		return -1;
	}
}

static void acpi_pm_read(void *dev, uint64_t offset, uint8_t *data,
			 unsigned int size)
{
	struct acpi_pm *pm = dev;

	pthread_mutex_lock(&pm->lock);
	for (unsigned int i = 0; i < size; i++)
		data[i] = read_byte(pm, offset + i);
	pthread_mutex_unlock(&pm->lock);
}

static void acpi_pm_write(void *dev, uint64_t offset, const uint8_t *data,
			  unsigned int size)
{
	struct acpi_pm *pm = dev;
	int status = -1;

	pthread_mutex_lock(&pm->lock);
	for (unsigned int i = 0; i < size; i++) {
		int s = write_byte(pm, offset + i, data[i]);

		if (status < 0)
			status = s;
	}
	update_sci(pm);
	pthread_mutex_unlock(&pm->lock);
	if (status >= 0)
		pm->request_exit(pm->opaque, status);
}

const struct bus_ops acpi_pm_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};
