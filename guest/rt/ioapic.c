// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O APIC at its PC base (82093AA datasheet, 3.2): registers are
 * reached through an index (IOREGSEL) and a data window (IOWIN); each
 * input pin has a 64-bit redirection entry at index 0x10 + 2 * pin.
 * ursa's pins are its GSIs 0-23 (the MADT says so).
 */
#include "rt.h"

#define IOAPIC_BASE		0xfec00000ull
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_REDIR(pin)	(0x10 + 2 * (pin))

/* Redirection entry, low dword: delivery mode 000 (fixed) and physical
 * destination mode are zeros. */
#define REDIR_ACTIVE_LOW	(1u << 13)
#define REDIR_LEVEL		(1u << 15)
#define REDIR_MASKED		(1u << 16)
#define REDIR_DEST_SHIFT	24	/* high dword: the APIC ID */

static struct rt_lock ioapic_lock;

static void ioapic_write(uint32_t index, uint32_t v)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, index);
	mmio_write32(IOAPIC_BASE + IOAPIC_WINDOW, v);
}

void rt_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
		     bool level, bool active_low)
{
	rt_lock(&ioapic_lock);
	/* Destination before the unmasking low half. */
	ioapic_write(IOAPIC_REDIR(gsi) + 1, apic_id << REDIR_DEST_SHIFT);
	ioapic_write(IOAPIC_REDIR(gsi), vector | (level ? REDIR_LEVEL : 0) |
		     (active_low ? REDIR_ACTIVE_LOW : 0));
	rt_unlock(&ioapic_lock);
}

void rt_ioapic_mask(uint32_t gsi)
{
	rt_lock(&ioapic_lock);
	ioapic_write(IOAPIC_REDIR(gsi), REDIR_MASKED);
	rt_unlock(&ioapic_lock);
}
