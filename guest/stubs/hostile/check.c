// SPDX-License-Identifier: GPL-2.0-only
/* hostile: checks, sized accessors and TSC deadlines, usable at any CPL. */
#include "hostile.h"

uint64_t hostile_checks;
static uint64_t tsc_per_ms;

__attribute__((noreturn))
static void fail_v(const char *fmt, va_list ap, bool values, uint64_t got,
		   uint64_t want)
{
	rt_printf("hostile: FAIL ");
	rt_vprintf(fmt, ap);
	if (values)
		rt_printf(": got %lx, want %lx", got, want);
	rt_printf("\n");
	rt_exit(1);
}

void hostile_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(fmt, ap, false, 0, 0);
}

void expect(uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;

	hostile_checks++;
	if (got == want)
		return;
	va_start(ap, fmt);
	fail_v(fmt, ap, true, got, want);
}

uint64_t mmio_read(uint64_t gpa, unsigned int size)
{
	switch (size) {
	case 1:
		return mmio_read8(gpa);
	case 2:
		return mmio_read16(gpa);
	case 4:
		return mmio_read32(gpa);
	default:
		return mmio_read64(gpa);
	}
}

void mmio_write(uint64_t gpa, unsigned int size, uint64_t v)
{
	switch (size) {
	case 1:
		mmio_write8(gpa, v);
		break;
	case 2:
		mmio_write16(gpa, v);
		break;
	case 4:
		mmio_write32(gpa, v);
		break;
	default:
		mmio_write64(gpa, v);
		break;
	}
}

uint32_t pio_read(uint16_t port, unsigned int size)
{
	if (size == 1)
		return inb(port);
	if (size == 2)
		return inw(port);
	return inl(port);
}

void pio_write(uint16_t port, unsigned int size, uint32_t v)
{
	if (size == 1)
		outb(port, v);
	else if (size == 2)
		outw(port, v);
	else
		outl(port, v);
}

uint64_t bytes_le(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;

	for (unsigned int i = size; i--;)
		v = v << 8 | p[i];
	return v;
}

/* CPL0 only: measures the TSC against the LAPIC timer. */
void hostile_time_init(void)
{
	tsc_per_ms = rt_tsc_per_ms();
	if (!tsc_per_ms)
		hostile_fail("the TSC does not tick");
}

uint64_t deadline_after_ms(uint64_t ms)
{
	return rt_tsc() + ms * tsc_per_ms;
}

bool deadline_passed(uint64_t deadline)
{
	return (int64_t)(rt_tsc() - deadline) >= 0;
}
