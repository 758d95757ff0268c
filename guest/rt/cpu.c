// SPDX-License-Identifier: GPL-2.0-only
/* Start-up, the IDT, exceptions, and the ways a stub ends. */
#include "lapic.h"
#include "rt.h"

const struct stub_boot *rt_boot;

/* Filled by entry.S's exception_entry and irq_entry.S's irq_entry macros. */
extern const uint64_t rt_exception_entries[RT_NUM_EXCEPTIONS];
extern const uint64_t rt_irq_entries[RT_IDT_ENTRIES - RT_NUM_EXCEPTIONS];

/* A 64-bit interrupt gate descriptor (SDM Vol. 3A 6.14.1). */
struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;	/* P, DPL, type 0xE (interrupt gate) */
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

union idt_entry {
	struct idt_gate gate;
	uint64_t q[2];
};

static union idt_entry idt[RT_IDT_ENTRIES] __attribute__((aligned(16)));

/*
 * A gate goes in as two whole quadwords of its final value: another vCPU
 * may be taking an interrupt through it while this one rewrites it, and
 * must never see it half written (a gate with P clear raises #NP).
 */
static void set_gate(unsigned int vec, uint64_t handler)
{
	union idt_entry e = { .gate = {
		.offset_low = handler & 0xffff,
		.selector = STUB_KERNEL_CS,
		.type_attr = 0x8e,	/* present, DPL 0, 64-bit interrupt gate */
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_high = handler >> 32,
	} };

	__atomic_store_n(&idt[vec].q[0], e.q[0], __ATOMIC_RELAXED);
	__atomic_store_n(&idt[vec].q[1], e.q[1], __ATOMIC_RELAXED);
}

/*
 * Every vCPU writes the same gates, so concurrent writers agree and no
 * vCPU has to wait for another before it loads the IDT.
 */
static void idt_install(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned int vec = 0; vec < RT_NUM_EXCEPTIONS; vec++)
		set_gate(vec, rt_exception_entries[vec]);
	for (unsigned int vec = RT_NUM_EXCEPTIONS; vec < RT_IDT_ENTRIES; vec++)
		set_gate(vec, rt_irq_entries[vec - RT_NUM_EXCEPTIONS]);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void rt_start(uint32_t cpu, uint32_t ncpus, const struct stub_boot *boot);

void rt_start(uint32_t cpu, uint32_t ncpus, const struct stub_boot *boot)
{
	rt_boot = boot;
	rt_fault_take();	/* bss is zero, which would read as a #DE */
	idt_install();
	rt_lapic_init();
	stub_main(cpu, ncpus);
	rt_halt();
}

struct exception_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct fixup {
	uint64_t insn, resume;
};

/* guest/stub.ld gathers the RT_GUARDED instructions' entries here. */
extern const struct fixup __rt_fixup_start[], __rt_fixup_end[];

/* Each vCPU's last fault of a guarded instruction, by APIC ID. */
static struct rt_fault faults[256];

struct rt_fault rt_fault_take(void)
{
	struct rt_fault f = faults[rt_cpu_index()];

	faults[rt_cpu_index()].vector = RT_NO_FAULT;
	return f;
}

/*
 * From entry.S's exception_common. An exception at a guarded instruction
 * is recorded and the return goes past it; any other is a stub bug: say
 * where, then end the VM.
 */
void rt_exception(struct exception_frame *f);

void rt_exception(struct exception_frame *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	for (const struct fixup *x = __rt_fixup_start; x < __rt_fixup_end; x++) {
		if (x->insn != f->rip)
			continue;
		faults[rt_cpu_index()] = (struct rt_fault){
			.vector = f->vector, .error = f->error, .cr2 = cr2,
		};
		f->rip = x->resume;
		return;
	}
	rt_printf("exception %lu error %lx at rip %lx cs %lx rflags %lx rsp %lx cr2 %lx\n",
		  f->vector, f->error, f->rip, f->cs, f->rflags, f->rsp, cr2);
	rt_exit(0x7f);
}

__attribute__((noreturn))
static void end_with(const char *stub, const char *verdict, uint32_t code,
		     const char *fmt, va_list ap)
{
	rt_printf("%s: %s ", stub, verdict);
	rt_vprintf(fmt, ap);
	rt_printf("\n");
	rt_exit(code);
}

void rt_fail(const char *stub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_with(stub, "FAIL", 1, fmt, ap);
}

void rt_end(const char *stub, const char *verdict, uint32_t code,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	end_with(stub, verdict, code, fmt, ap);
}

void rt_exit(uint32_t code)
{
	outl(STUB_DEBUG_EXIT_PORT, code);
	/* ursa never resumes a vCPU after a debug exit. */
	rt_halt();
}

void rt_halt(void)
{
	outb(STUB_HALT_PORT, 0);
	/* ursa never enters this vCPU again. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
