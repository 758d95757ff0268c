// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC in xAPIC mode, through its registers at the reset base
 * (SDM Vol. 3A 11.4.1): enable, EOI, IPIs, and a one-shot timer for
 * deadlines. KVM emulates it, so every access here traps to KVM.
 */
#include "lapic.h"
#include "rt.h"

#define LAPIC_BASE		0xfee00000ull
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define LAPIC_SVR_ENABLE	(1u << 8)
#define LAPIC_ICR_LOW		0x300
#define LAPIC_ICR_HIGH		0x310
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_MASKED	(1u << 16)
#define LAPIC_TIMER_INITIAL	0x380
#define LAPIC_TIMER_CURRENT	0x390
#define LAPIC_TIMER_DIVIDE	0x3e0
#define LAPIC_TIMER_DIVIDE_128	0xa

/* ICR fields (SDM Vol. 3A 11.6.1); delivery mode 000 is fixed. */
#define ICR_SEND_PENDING	(1u << 12)
#define ICR_ASSERT		(1u << 14)
#define ICR_DEST_SELF		(1u << 18)	/* destination shorthand 01 */
#define ICR_DEST_SHIFT		24		/* in ICR_HIGH: physical APIC ID */

/*
 * KVM's APIC bus runs at 1 GHz unless the VMM changes it (api.rst,
 * KVM_CAP_X86_APIC_BUS_CYCLES_NS; ursa does not), so with the divider at
 * 128 the timer counts down once every 128 ns.
 */
#define TIMER_NS_PER_TICK	128

static uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void rt_lapic_init(void)
{
	/*
	 * Software-enable the APIC first (SDM Vol. 3A 11.9): while it is
	 * disabled, every LVT entry stays masked whatever is written to it
	 * (11.4.7.2). Task priority 0 from reset lets every vector through.
	 */
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | RT_SPURIOUS_VECTOR);
	/*
	 * KVM leaves vCPU 0's LINT0 in ExtINT mode, the 8259's virtual wire
	 * as a BIOS would set it up. Nothing here programs the 8259's vector
	 * base (ICW2), so an ExtINT could bring any vector, an exception's
	 * included: interrupts come through the LAPIC and IOAPIC only.
	 */
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	/* One-shot mode (LVT timer bits 18:17 = 00, SDM Vol. 3A 11.5.4). */
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_TIMER_DIVIDE_128);
	lapic_write(LAPIC_LVT_TIMER, RT_TIMER_VECTOR);
}

/* Any write to the EOI register will do (SDM Vol. 3A 11.8.5); 0 is the
 * value for forward compatibility. */
void rt_lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/*
 * Writing the low dword sends the IPI (SDM Vol. 3A 11.6.1), so both
 * halves go with interrupts disabled: a handler on this vCPU sending one
 * of its own in between would change the destination. The level bit
 * must be 1 for every delivery mode but INIT de-assert.
 */
static void send_ipi(uint32_t high, uint32_t low)
{
	uint64_t rflags;

	__asm__ volatile("pushfq; pop %0; cli" : "=r"(rflags) : : "memory");
	while (lapic_read(LAPIC_ICR_LOW) & ICR_SEND_PENDING)
		__builtin_ia32_pause();
	lapic_write(LAPIC_ICR_HIGH, high);
	lapic_write(LAPIC_ICR_LOW, low | ICR_ASSERT);
	__asm__ volatile("push %0; popfq" : : "r"(rflags) : "memory", "cc");
}

void rt_lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	send_ipi(apic_id << ICR_DEST_SHIFT, vector);
}

void rt_lapic_self_ipi(uint8_t vector)
{
	send_ipi(0, ICR_DEST_SELF | vector);
}

/*
 * Writing the initial count starts the countdown; in one-shot mode the
 * current count stops at 0, and the timer's interrupt goes out then
 * (SDM Vol. 3A 11.5.4). An initial count of 0 stops the timer.
 */
void rt_deadline_set(uint32_t ms)
{
	uint64_t ticks = (uint64_t)ms * 1000000 / TIMER_NS_PER_TICK;

	lapic_write(LAPIC_TIMER_INITIAL, ticks > UINT32_MAX ? UINT32_MAX : ticks);
}

bool rt_deadline_passed(void)
{
	return lapic_read(LAPIC_TIMER_CURRENT) == 0;
}

uint64_t rt_tsc_per_ms(void)
{
	uint64_t start;

	rt_deadline_set(10);
	start = rt_tsc();
	while (!rt_deadline_passed())
		__builtin_ia32_pause();
	return (rt_tsc() - start) / 10;
}
