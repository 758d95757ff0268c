/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between ursa and its guest stubs, shared by the host
 * (vmm/boot/stub.c), the guest runtime (guest/rt) and the guest assembly.
 *
 * A stub is a flat binary loaded at STUB_LOAD_GPA. It starts with a
 * struct stub_header. ursa enters it in 64-bit mode:
 *   - paging on, the low 4 GiB identity-mapped with 2 MiB pages that are
 *     writable and user-accessible (so CPL3 code may touch RAM and MMIO),
 *     uncacheable in the MMIO hole [3 GiB, 4 GiB); the tables are in guest
 *     RAM, and the runtime adds MMIO above 4 GiB to them (guest/rt/paging.c);
 *   - CS = STUB_KERNEL_CS, SS = STUB_KERNEL_DS, interrupts off;
 *   - DS, ES, FS, GS = STUB_USER_DS: DPL 3, so IRET to CPL3 keeps them;
 *   - rdi = vCPU index, rsi = vCPU count, rdx = gpa of struct stub_boot;
 *   - rsp = top of this vCPU's kernel stack;
 *   - GS.base = this vCPU's struct stub_cpu; TR = its TSS (in stub_cpu).
 * KVM's interrupt controllers are there: vCPU i has a local APIC with ID i
 * at its reset base 0xfee00000, hardware-enabled but software-disabled
 * (SDM Vol. 3A 11.4.3, 11.9), and the IOAPIC sits at 0xfec00000. Every vCPU
 * starts running at the entry; none waits for INIT/SIPI.
 * A vCPU is done when it writes STUB_HALT_PORT; HLT only waits for an
 * interrupt. Everything else (IDT, CPL3 entry) is the guest runtime's
 * business.
 */
#ifndef URSA_GUEST_STUB_ABI_H
#define URSA_GUEST_STUB_ABI_H

#define STUB_MAGIC		0x42555352	/* "RSUB" little-endian */
#define STUB_ABI_VERSION	2	/* 2: irqchip, STUB_HALT_PORT */
#define STUB_LOAD_GPA		0x100000

/* GDT selectors. The user ones carry RPL 3. */
#define STUB_KERNEL_CS		0x08
#define STUB_KERNEL_DS		0x10
#define STUB_USER_DS		(0x18 | 3)
#define STUB_USER_CS		(0x20 | 3)
#define STUB_TSS_SEL(cpu)	(0x28 + 16 * (cpu))

/* isa-debug-exit: writing v ends ursa with status (v << 1) | 1. */
#define STUB_DEBUG_EXIT_PORT	0x501
/*
 * Any write here stops the writing vCPU for good: ursa never enters it
 * again, and ends with status 0 once every vCPU has written it. Just past
 * debug-exit's four ports; reads return all ones.
 */
#define STUB_HALT_PORT		0x505
#define STUB_COM1_PORT		0x3f8

/* Each vCPU's block above the image: stub_cpu, user stack, kernel stack. */
#define STUB_CPU_AREA_SIZE	0x3000
#define STUB_STACK_SIZE		0x4000
#define STUB_CPU_BLOCK_SIZE	(STUB_CPU_AREA_SIZE + 2 * STUB_STACK_SIZE)

#define STUB_CMDLINE_MAX	2048

/*
 * With 'ursa run --debug-memfault-slot', a memslot here whose host mapping
 * is PROT_NONE: KVM cannot fault it in, so a guest access makes KVM_RUN
 * fail with EFAULT (and KVM_EXIT_MEMORY_FAULT on kernels that report it).
 * It lies in the 32-bit MMIO hole, inside the stubs' identity map.
 */
#define STUB_MEMFAULT_GPA	0xd0000000
#define STUB_MEMFAULT_SIZE	0x10000

/* Byte offsets into struct stub_cpu, for the guest assembly. */
#define STUB_CPU_SAVED_KSP	16
#define STUB_CPU_USER_STACK	24
#define STUB_CPU_TSS		32
#define STUB_TSS_RSP0		4

#ifndef __ASSEMBLER__
#include <stdint.h>

struct stub_header {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t entry;		/* gpa of the entry point */
	uint64_t load_end;	/* gpa just past the image and its bss */
};

/* Shared by all vCPUs; lives in guest RAM, written by ursa before entry. */
struct stub_boot {
	uint64_t ram_below_4g;	/* RAM is [0, ram_below_4g) */
	uint32_t ncpus;
	uint32_t reserved;
	char cmdline[STUB_CMDLINE_MAX];	/* NUL-terminated, from --append */
};

/*
 * The 64-bit TSS (SDM Vol. 3A 8.7) with an I/O permission bitmap that
 * allows every port (SDM Vol. 1 19.5.2: a clear bit allows the port; the
 * byte after the bitmap must be 0xff). CPL3 code gets port access from the
 * bitmap, not from IOPL: some KVM implementations (the paravirtual one on
 * the project's test hosts) force IOPL to 0 while the guest is at CPL3.
 * Packed: rsp0 sits at offset 4.
 */
struct stub_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;	/* offsetof(struct stub_tss, iomap) */
	uint8_t iomap[65536 / 8];
	uint8_t iomap_end;	/* 0xff */
} __attribute__((packed));

/* Per-vCPU state, addressed through GS.base. */
struct stub_cpu {
	uint64_t self;		/* gpa of this struct */
	uint32_t index;
	uint32_t ncpus;
	uint64_t saved_ksp;	/* kernel rsp while the vCPU runs at CPL3 */
	uint64_t user_stack_top;
	struct stub_tss tss;
};

_Static_assert(__builtin_offsetof(struct stub_cpu, saved_ksp) ==
	       STUB_CPU_SAVED_KSP, "stub_cpu layout");
_Static_assert(__builtin_offsetof(struct stub_cpu, user_stack_top) ==
	       STUB_CPU_USER_STACK, "stub_cpu layout");
_Static_assert(__builtin_offsetof(struct stub_cpu, tss) == STUB_CPU_TSS,
	       "stub_cpu layout");
_Static_assert(__builtin_offsetof(struct stub_tss, rsp) == STUB_TSS_RSP0,
	       "tss layout");
_Static_assert(__builtin_offsetof(struct stub_tss, iomap) == 104, "tss layout");
_Static_assert(sizeof(struct stub_cpu) <= STUB_CPU_AREA_SIZE, "stub_cpu size");
#endif

#endif
