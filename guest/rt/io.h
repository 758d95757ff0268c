/* SPDX-License-Identifier: GPL-2.0-only */
/* Port and MMIO accessors. Each access is a single instruction, so that a
 * trapped access reaches the VMM with exactly the size asked for. */
#ifndef URSA_GUEST_RT_IO_H
#define URSA_GUEST_RT_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint8_t mmio_read8(uint64_t gpa)
{
	return *(volatile uint8_t *)gpa;
}

static inline uint16_t mmio_read16(uint64_t gpa)
{
	return *(volatile uint16_t *)gpa;
}

static inline uint32_t mmio_read32(uint64_t gpa)
{
	return *(volatile uint32_t *)gpa;
}

static inline uint64_t mmio_read64(uint64_t gpa)
{
	return *(volatile uint64_t *)gpa;
}

static inline void mmio_write8(uint64_t gpa, uint8_t v)
{
	*(volatile uint8_t *)gpa = v;
}

static inline void mmio_write16(uint64_t gpa, uint16_t v)
{
	*(volatile uint16_t *)gpa = v;
}

static inline void mmio_write32(uint64_t gpa, uint32_t v)
{
	*(volatile uint32_t *)gpa = v;
}

static inline void mmio_write64(uint64_t gpa, uint64_t v)
{
	*(volatile uint64_t *)gpa = v;
}

#endif
