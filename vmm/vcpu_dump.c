// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/memory.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_dump.h"
#include "vmm/vm.h"

/* Bytes shown before and from rip, as an oops's "Code:" line does. */
#define CODE_BEFORE	16
#define CODE_AFTER	16

/*
 * The bytes around the guest's rip, within rip's page, the one at rip in
 * <>: KVM_TRANSLATE walks the guest's page tables for us.
 */
static void print_code(struct vcpu *vcpu, uint64_t rip)
{
	struct kvm_translation tr = { .linear_address = rip };
	char line[4 * (CODE_BEFORE + CODE_AFTER) + 1] = "";
	size_t before, after, len = 0;
	const uint8_t *code;
	uint64_t in_page;

	if (ioctl(vcpu->fd, KVM_TRANSLATE, &tr) || !tr.valid)
		return;
	in_page = tr.physical_address & 0xfff;
	before = in_page < CODE_BEFORE ? in_page : CODE_BEFORE;
	after = 0x1000 - in_page < CODE_AFTER ? 0x1000 - in_page : CODE_AFTER;
	code = gpa_to_hva(&vcpu->vm->mem, tr.physical_address - before,
			  before + after);
	if (!code)
		return;
	for (size_t i = 0; i < before + after; i++)
		len += snprintf(line + len, sizeof(line) - len,
				i == before ? " <%02x>" : " %02x", code[i]);
	log_error("vcpu %u: code at rip (gpa 0x%llx):%s", vcpu->index,
		  (unsigned long long)tr.physical_address, line);
}

static const char *mp_state_name(uint32_t state)
{
	switch (state) {
	case KVM_MP_STATE_RUNNABLE:
		return "runnable";
	case KVM_MP_STATE_UNINITIALIZED:
		return "waiting for INIT";
	case KVM_MP_STATE_INIT_RECEIVED:
		return "waiting for SIPI";
	case KVM_MP_STATE_HALTED:
		return "halted";
	default:
		return "other";
	}
}

/* The local APIC's registers are 16-byte aligned 32-bit words at their
 * MMIO offsets (SDM vol. 3A, table 11-1). */
static uint32_t apic_reg(const struct kvm_lapic_state *lapic, unsigned int off)
{
	uint32_t v;

	memcpy(&v, lapic->regs + off, sizeof(v));
	return v;
}

/* The highest vector set in the 256-bit ISR or IRR at base, or -1. */
static int apic_highest(const struct kvm_lapic_state *lapic, unsigned int base)
{
	for (int word = 7; word >= 0; word--) {
		uint32_t bits = apic_reg(lapic, base + 0x10 * word);

		if (bits)
			return word * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

#define APIC_TPR	0x80
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_LVTT	0x320
#define APIC_TMCCT	0x390

/*
 * Whether the guest is halted, what KVM holds for injection and what its
 * local APIC holds pending (IRR) and in service (ISR): a guest waiting
 * with IF set and a vector in IRR above TPR is one KVM did not deliver.
 */
static void print_interrupt_state(struct vcpu *vcpu)
{
	struct kvm_mp_state mp;
	struct kvm_vcpu_events ev;
	struct kvm_lapic_state lapic;

	if (!ioctl(vcpu->fd, KVM_GET_MP_STATE, &mp) &&
	    !ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev))
		log_error("vcpu %u: %s; injecting vector %d, nmi pending %u masked %u, interrupt shadow %u",
			  vcpu->index, mp_state_name(mp.mp_state),
			  ev.interrupt.injected ? ev.interrupt.nr : -1,
			  ev.nmi.pending, ev.nmi.masked, ev.interrupt.shadow);
	if (!ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic))
		log_error("vcpu %u: lapic: irr %d isr %d tpr 0x%x lvtt 0x%x tmcct 0x%x",
			  vcpu->index, apic_highest(&lapic, APIC_IRR),
			  apic_highest(&lapic, APIC_ISR),
			  apic_reg(&lapic, APIC_TPR), apic_reg(&lapic, APIC_LVTT),
			  apic_reg(&lapic, APIC_TMCCT));
}

void vcpu_dump_state(struct vcpu *vcpu)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) ||
	    ioctl(vcpu->fd, KVM_GET_SREGS, &sregs)) {
		log_error("vcpu %u: registers unavailable: %s", vcpu->index,
			  strerror(errno));
		return;
	}
	log_error("vcpu %u: rip=0x%llx rsp=0x%llx rflags=0x%llx cs=0x%x",
		  vcpu->index, regs.rip, regs.rsp, regs.rflags, sregs.cs.selector);
	log_error("vcpu %u: rax=0x%llx rbx=0x%llx rcx=0x%llx rdx=0x%llx rsi=0x%llx rdi=0x%llx rbp=0x%llx",
		  vcpu->index, regs.rax, regs.rbx, regs.rcx, regs.rdx, regs.rsi,
		  regs.rdi, regs.rbp);
	log_error("vcpu %u: cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx",
		  vcpu->index, sregs.cr0, sregs.cr2, sregs.cr3, sregs.cr4, sregs.efer);
	print_code(vcpu, regs.rip);
	print_interrupt_state(vcpu);
}
