// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest/stub_abi.h"
#include "vmm/boot/stub.h"
#include "vmm/config.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/memory.h"
#include "vmm/stubs.h"

/* Guest-physical places below the image (it starts at 1 MiB). */
#define BOOT_INFO_GPA	0x1000
#define GDT_GPA		0x2000
#define PML4_GPA	0x8000
#define PDPT_GPA	0x9000
#define PD_GPA		0xa000	/* four page directories, one per GiB */
#define PT_END_GPA	0xe000

#define PTE_PRESENT	(1ull << 0)
#define PTE_WRITE	(1ull << 1)
#define PTE_USER	(1ull << 2)
#define PTE_LARGE	(1ull << 7)	/* a 2 MiB page in a PDE */

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_WP		(1ull << 16)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

/* Segment types (SDM Vol. 3A 3.4.5.1, 3.5). */
#define SEG_TYPE_DATA_RW	0x3	/* read/write, accessed */
#define SEG_TYPE_CODE_RX	0xb	/* execute/read, accessed */
#define SEG_TYPE_TSS64_BUSY	0xb

_Static_assert(STUB_TSS_SEL(URSA_MAX_VCPUS) <= PML4_GPA - GDT_GPA,
	       "the GDT holds a TSS descriptor for every possible vCPU");

static struct kvm_segment flat_segment(uint16_t sel, uint8_t type, uint8_t dpl,
				       bool code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = sel,
		.type = type,
		.present = 1,
		.dpl = dpl,
		.db = !code,	/* 64-bit code needs D=0 when L=1 */
		.s = 1,
		.l = code,
		.g = 1,
	};
}

static struct kvm_segment tss_segment(unsigned int cpu, uint64_t base)
{
	return (struct kvm_segment){
		.base = base,
		.limit = sizeof(struct stub_tss) - 1,
		.selector = STUB_TSS_SEL(cpu),
		.type = SEG_TYPE_TSS64_BUSY,
		.present = 1,
	};
}

/* The descriptor the CPU would load to get s (SDM Vol. 3A 3.4.5). */
static uint64_t descriptor(const struct kvm_segment *s)
{
	uint32_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffffull) | (s->base & 0xffffffull) << 16 |
	       (uint64_t)s->type << 40 | (uint64_t)s->s << 44 |
	       (uint64_t)s->dpl << 45 | (uint64_t)s->present << 47 |
	       ((limit >> 16) & 0xfull) << 48 | (uint64_t)s->l << 53 |
	       (uint64_t)s->db << 54 | (uint64_t)s->g << 55 |
	       ((s->base >> 24) & 0xffull) << 56;
}

static uint64_t cpu_block(const struct stub_boot_plan *plan, unsigned int cpu)
{
	return plan->cpu_blocks_gpa + (uint64_t)cpu * STUB_CPU_BLOCK_SIZE;
}

static uint64_t gdt_size(unsigned int ncpus)
{
	return STUB_TSS_SEL(ncpus);
}

static void write_gdt(uint64_t *gdt, const struct stub_boot_plan *plan)
{
	struct kvm_segment s;

	gdt[0] = 0;
	s = flat_segment(STUB_KERNEL_CS, SEG_TYPE_CODE_RX, 0, true);
	gdt[STUB_KERNEL_CS >> 3] = descriptor(&s);
	s = flat_segment(STUB_KERNEL_DS, SEG_TYPE_DATA_RW, 0, false);
	gdt[STUB_KERNEL_DS >> 3] = descriptor(&s);
	s = flat_segment(STUB_USER_DS, SEG_TYPE_DATA_RW, 3, false);
	gdt[STUB_USER_DS >> 3] = descriptor(&s);
	s = flat_segment(STUB_USER_CS, SEG_TYPE_CODE_RX, 3, true);
	gdt[STUB_USER_CS >> 3] = descriptor(&s);
	for (unsigned int cpu = 0; cpu < plan->ncpus; cpu++) {
		uint64_t base = cpu_block(plan, cpu) +
				offsetof(struct stub_cpu, tss);

		s = tss_segment(cpu, base);
		/* A system descriptor is 16 bytes; the upper half holds base[63:32]. */
		gdt[STUB_TSS_SEL(cpu) >> 3] = descriptor(&s);
		gdt[(STUB_TSS_SEL(cpu) >> 3) + 1] = base >> 32;
	}
}

/* Identity-map [0, 4 GiB) with 2 MiB pages, user-accessible. */
static void write_page_tables(uint64_t *pml4, uint64_t *pdpt, uint64_t *pd)
{
	pml4[0] = PDPT_GPA | PTE_PRESENT | PTE_WRITE | PTE_USER;
	for (uint64_t g = 0; g < 4; g++) {
		pdpt[g] = (PD_GPA + g * 0x1000) | PTE_PRESENT | PTE_WRITE | PTE_USER;
		for (uint64_t i = 0; i < 512; i++)
			pd[g * 512 + i] = (g << 30 | i << 21) | PTE_PRESENT |
					  PTE_WRITE | PTE_USER | PTE_LARGE;
	}
}

static int check_header(const struct stub_image *img, const char *name,
			struct stub_header *hdr, char *err, size_t errlen)
{
	if (img->size < sizeof(*hdr)) {
		set_error(err, errlen, "stub '%s': %zu bytes is too short for a stub header",
			  name, img->size);
		return -1;
	}
	memcpy(hdr, img->data, sizeof(*hdr));
	if (hdr->magic != STUB_MAGIC) {
		set_error(err, errlen, "stub '%s': not an ursa stub (bad magic 0x%08x)",
			  name, hdr->magic);
		return -1;
	}
	if (hdr->abi_version != STUB_ABI_VERSION) {
		set_error(err, errlen, "stub '%s': stub ABI version %u, ursa speaks %u",
			  name, hdr->abi_version, STUB_ABI_VERSION);
		return -1;
	}
	if (hdr->load_end < STUB_LOAD_GPA + img->size || (hdr->load_end & 0xfff) ||
	    hdr->entry < STUB_LOAD_GPA || hdr->entry >= STUB_LOAD_GPA + img->size) {
		set_error(err, errlen, "stub '%s': header is inconsistent (entry 0x%" PRIx64
			  ", end 0x%" PRIx64 ", %zu bytes)",
			  name, hdr->entry, hdr->load_end, img->size);
		return -1;
	}
	return 0;
}

int stub_boot_prepare(struct guest_memory *mem, const struct stub_image *img,
		      const char *name, unsigned int ncpus, const char *cmdline,
		      struct stub_boot_plan *plan, char *err, size_t errlen)
{
	struct stub_header hdr;
	uint64_t blocks_size = (uint64_t)ncpus * STUB_CPU_BLOCK_SIZE;
	uint64_t load_size, need;
	struct stub_boot *boot;
	uint8_t *image;

	if (check_header(img, name, &hdr, err, errlen))
		return -1;
	load_size = hdr.load_end - STUB_LOAD_GPA;
	need = hdr.load_end + blocks_size;
	image = gpa_to_hva(mem, STUB_LOAD_GPA, load_size + blocks_size);
	boot = gpa_to_hva(mem, BOOT_INFO_GPA, sizeof(*boot));
	if (!image || !boot || hdr.load_end + blocks_size > LAYOUT_MMIO_HOLE_START) {
		set_error(err, errlen, "stub '%s' with %u vCPUs needs %" PRIu64
			  " MiB of RAM below 3 GiB; the guest has less",
			  name, ncpus, (need + (1 << 20) - 1) >> 20);
		return -1;
	}
	*plan = (struct stub_boot_plan){
		.entry = hdr.entry,
		.boot_info_gpa = BOOT_INFO_GPA,
		.cpu_blocks_gpa = hdr.load_end,
		.ncpus = ncpus,
	};
	memcpy(image, img->data, img->size);
	memset(image + img->size, 0, load_size + blocks_size - img->size);

	*boot = (struct stub_boot){ .ram_below_4g = mem->ranges[0].size, .ncpus = ncpus };
	strncpy(boot->cmdline, cmdline, sizeof(boot->cmdline) - 1);

	write_gdt(gpa_to_hva(mem, GDT_GPA, gdt_size(ncpus)), plan);
	write_page_tables(gpa_to_hva(mem, PML4_GPA, 0x1000),
			  gpa_to_hva(mem, PDPT_GPA, 0x1000),
			  gpa_to_hva(mem, PD_GPA, PT_END_GPA - PD_GPA));

	for (unsigned int cpu = 0; cpu < ncpus; cpu++) {
		uint64_t block = cpu_block(plan, cpu);
		struct stub_cpu *c = gpa_to_hva(mem, block, sizeof(*c));

		*c = (struct stub_cpu){
			.self = block,
			.index = cpu,
			.ncpus = ncpus,
			.user_stack_top = block + STUB_CPU_AREA_SIZE + STUB_STACK_SIZE,
			.tss.iomap_base = offsetof(struct stub_tss, iomap),
			.tss.iomap_end = 0xff,
		};
		c->tss.rsp[0] = block + STUB_CPU_BLOCK_SIZE;
	}
	return 0;
}

int stub_boot_vcpu(const struct stub_boot_plan *plan, unsigned int index,
		   int vcpu_fd, char *err, size_t errlen)
{
	uint64_t block = cpu_block(plan, index);
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = plan->entry,
		.rsp = block + STUB_CPU_BLOCK_SIZE,
		.rdi = index,
		.rsi = plan->ncpus,
		.rdx = plan->boot_info_gpa,
		.rflags = 0x2,	/* bit 1 is reserved and always set */
	};

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs)) {
		set_error(err, errlen, "vCPU %u: KVM_GET_SREGS: %s", index,
			  strerror(errno));
		return -1;
	}
	sregs.cs = flat_segment(STUB_KERNEL_CS, SEG_TYPE_CODE_RX, 0, true);
	sregs.ss = flat_segment(STUB_KERNEL_DS, SEG_TYPE_DATA_RW, 0, false);
	/*
	 * DS, ES, FS and GS hold the DPL 3 data segment: IRET to CPL3 would
	 * null any with DPL < 3 (SDM Vol. 2A IRET), and GS.base must survive
	 * it because the runtime finds its per-vCPU data through GS.
	 */
	sregs.ds = flat_segment(STUB_USER_DS, SEG_TYPE_DATA_RW, 3, false);
	sregs.es = sregs.ds;
	sregs.fs = sregs.ds;
	sregs.gs = sregs.ds;
	sregs.gs.base = block;
	sregs.tr = tss_segment(index, block + offsetof(struct stub_cpu, tss));
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .unusable = 1 };
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = gdt_size(plan->ncpus) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs)) {
		set_error(err, errlen, "vCPU %u: KVM_SET_SREGS: %s", index,
			  strerror(errno));
		return -1;
	}
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs)) {
		set_error(err, errlen, "vCPU %u: KVM_SET_REGS: %s", index,
			  strerror(errno));
		return -1;
	}
	return 0;
}
