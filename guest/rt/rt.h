/* SPDX-License-Identifier: GPL-2.0-only */
/* The guest stub runtime: what every stub may call. */
#ifndef URSA_GUEST_RT_H
#define URSA_GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../stub_abi.h"
#include "fixup.h"
#include "io.h"
#include "vectors.h"

/* Each stub defines this; returning from it halts the vCPU. */
void stub_main(uint32_t cpu, uint32_t ncpus);

/* Boot information ursa wrote for this VM. */
extern const struct stub_boot *rt_boot;

/* Serial console (COM1). Output from different vCPUs is never interleaved
 * within one call. Formats: %s %c %d %u %x %lu %lx %ld %% (x is lowercase hex);
 * a 0 and a width zero-pad numbers ("%08x"). */
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rt_vprintf(const char *fmt, va_list ap);

/* Wait for the next byte of console input (polling COM1). */
char rt_getc(void);

/* End the VM with ursa status (code << 1) | 1 (isa-debug-exit). */
__attribute__((noreturn)) void rt_exit(uint32_t code);

/* Print "<stub>: FAIL <message>" on a line and end the VM with code 1
 * (status 3): how a stub reports a failed check. */
__attribute__((format(printf, 2, 3), noreturn))
void rt_fail(const char *stub, const char *fmt, ...);
/* The same with another word and code: "<stub>: <verdict> <message>",
 * then the VM ends with code (status (code << 1) | 1). */
__attribute__((format(printf, 4, 5), noreturn))
void rt_end(const char *stub, const char *verdict, uint32_t code,
	    const char *fmt, ...);
/* Stop this vCPU for good (STUB_HALT_PORT); ursa ends with status 0 once
 * all have halted. */
__attribute__((noreturn)) void rt_halt(void);

/*
 * An instruction that may raise an exception, for inline assembly:
 *	__asm__ volatile(RT_GUARDED("vmload %%rax") : : "a"(pa) : "memory");
 * If it faults, the exception is recorded and execution goes on after it
 * (without its effects); rt_fault_take() then says what it raised.
 */
#define RT_GUARDED(insn) "661: " insn "\n662:\n" RT_FIXUP_ENTRY("661b", "662b")

#define RT_NO_FAULT	0xffffffffu
struct rt_fault {
	uint32_t vector;	/* RT_NO_FAULT: none since the last take */
	uint64_t error;		/* the error code, 0 for vectors without one */
	uint64_t cr2;		/* the faulting address of a #PF */
};

/* The last exception a guarded instruction of this vCPU raised, and forget
 * it. */
struct rt_fault rt_fault_take(void);

/* This vCPU's index, which is also its local APIC ID. */
static inline uint32_t rt_cpu_index(void)
{
	uint32_t v;

	__asm__("movl %%gs:%c1, %0" : "=r"(v)
		: "i"(offsetof(struct stub_cpu, index)));
	return v;
}

/*
 * External interrupts, vectors RT_IRQ_VECTOR_FIRST..RT_IRQ_VECTOR_LAST
 * (vectors.h). Stubs start with interrupts disabled, and CPL3 code
 * (rt_user_call) always runs with them disabled. A handler runs at CPL0
 * with interrupts disabled, on the interrupted stack; the runtime sends
 * the LAPIC EOI when it returns. One table serves every vCPU; an
 * interrupt on a vector without a handler ends the VM (code 0x7f).
 */
void rt_irq_handler(uint8_t vector, void (*fn)(uint8_t vector));

/* What the CPU pushed when it took the interrupt (SDM Vol. 3A 6.14.2). */
struct rt_irq_frame {
	uint64_t rip;	/* the interrupted instruction */
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/* Inside a handler: the frame of the interrupt it handles. */
const struct rt_irq_frame *rt_irq_frame(void);

static inline void rt_irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void rt_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* Sleep until an interrupt has been handled, one already pending
 * included, and return with interrupts disabled: a loop
 * "while (!seen) rt_irq_wait();" cannot miss its interrupt. */
void rt_irq_wait(void);

/* Fixed-mode, edge-triggered IPIs through this vCPU's xAPIC (SDM Vol. 3A
 * 11.6.1): to a physical APIC ID, or to itself. Any context. */
void rt_lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void rt_lapic_self_ipi(uint8_t vector);

/* Route I/O APIC input gsi (0-23) to vector on the LAPIC apic_id, level-
 * or edge-triggered, active low or high; or mask it again. */
void rt_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
		     bool level, bool active_low);
void rt_ioapic_mask(uint32_t gsi);

/*
 * A deadline on this vCPU's LAPIC timer, whose interrupt ends an
 * rt_irq_wait(), so that waits are bounded:
 *	rt_deadline_set(1000);
 *	while (!seen && !rt_deadline_passed())
 *		rt_irq_wait();
 * Setting a new deadline replaces the old one.
 */
void rt_deadline_set(uint32_t ms);
bool rt_deadline_passed(void);

/* CPUID leaf, subleaf: eax, ebx, ecx, edx (SDM Vol. 2A CPUID). */
static inline void rt_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(subleaf));
}

/* MAXPHYADDR, the guest-physical address width: CPUID 0x80000008
 * EAX[7:0] (SDM Vol. 3A 4.1.4). */
static inline unsigned int rt_phys_bits(void)
{
	uint32_t r[4];

	rt_cpuid(0x80000008, 0, r);
	return r[0] & 0xff;
}

static inline uint64_t rt_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void rt_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* The time-stamp counter (SDM Vol. 2B RDTSC); KVM does not trap it. */
static inline uint64_t rt_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per millisecond, measured against the LAPIC timer over 10 ms
 * (uses the timer: not while a deadline is set). */
uint64_t rt_tsc_per_ms(void);

/* Run fn(arg) at CPL3, with every I/O port allowed, and return its result. The hosts this
 * project tests on emulate CPL0 code at about 1 us per instruction, so hot
 * loops belong in such a function. */
uint64_t rt_user_call(uint64_t (*fn)(uint64_t), uint64_t arg);

/* "key=value" from --append, parsed as an unsigned number (decimal or 0x
 * hex); def when absent or malformed. */
uint64_t rt_arg_u64(const char *key, uint64_t def);

/* The same lookup, telling the two apart: RT_ARG_OK with *v set,
 * RT_ARG_ABSENT, or RT_ARG_MALFORMED. */
enum rt_arg { RT_ARG_OK, RT_ARG_ABSENT, RT_ARG_MALFORMED };
enum rt_arg rt_arg_lookup(const char *key, uint64_t *v);

/*
 * Identity-map [gpa, gpa + size) as uncacheable MMIO too, in 2 MiB pages,
 * for a BAR above ursa's 4 GiB map: vCPU 0 at CPL0, before any vCPU
 * touches the range. False when the range ends above 2^47 (no canonical
 * linear address reaches it identically) or the runtime's few page-table
 * pages are used up.
 */
bool rt_map_mmio(uint64_t gpa, uint64_t size);

/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC, PCI Local Bus 3.0
 * section 3.2.2.3.2). off is a byte offset, aligned to the access size. */
uint32_t rt_pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		     unsigned int size);
void rt_pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off,
		  unsigned int size, uint32_t val);

/* Type 0 configuration header registers (PCI Local Bus 3.0 6.1, 6.2.2). */
#define PCI_VENDOR_ID		0x00	/* device ID above it */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x0002	/* Memory Space Enable */
#define PCI_COMMAND_MASTER	0x0004
#define PCI_BAR0		0x10

/* The device number of the first device on bus 0 whose function 0 has
 * these vendor and device IDs, or -1. */
int rt_pci_find(uint16_t vendor, uint16_t device);

/* The address memory BAR bar (0-5) of bus 0, device dev, function 0 holds,
 * both halves of a 64-bit one; 0 for an I/O BAR. */
uint64_t rt_pci_bar_address(uint8_t dev, unsigned int bar);

/* The size of memory BAR bar of bus 0, device dev, function 0 by the
 * sizing protocol (PCI Local Bus 3.0 6.2.5.1), both halves of a 64-bit
 * one, with memory decoding off as its implementation note asks; the BAR
 * and COMMAND get their values back. 0 for an I/O BAR, an unimplemented
 * one, or the upper half of a 64-bit one. */
uint64_t rt_pci_bar_size(uint8_t dev, unsigned int bar);

/* The config offset of capability id of bus 0, device dev, function 0
 * (PCI Local Bus 3.0 6.7), or 0 when it has none. */
uint8_t rt_pci_find_cap(uint8_t dev, uint8_t id);

/* A test-and-set lock usable at any CPL. */
struct rt_lock {
	volatile uint32_t held;
};

static inline void rt_lock(struct rt_lock *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static inline void rt_unlock(struct rt_lock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif
