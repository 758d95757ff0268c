// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest/stub_abi.h"
#include "vmm/boot/longmode.h"
#include "vmm/boot/stub.h"
#include "vmm/config.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/memory.h"
#include "vmm/stubs.h"

/* Guest-physical places below the image (it starts at 1 MiB). */
#define BOOT_INFO_GPA	0x1000
#define GDT_GPA		0x2000
#define PT_GPA		0x8000	/* LONGMODE_PT_PAGES pages */

_Static_assert(STUB_TSS_SEL(URSA_MAX_VCPUS) <= PT_GPA - GDT_GPA,
	       "the GDT holds a TSS descriptor for every possible vCPU");
_Static_assert(PT_GPA + LONGMODE_PT_PAGES * 0x1000 <= STUB_LOAD_GPA,
	       "page tables below the image");

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
	s = longmode_flat_segment(STUB_KERNEL_CS, SEG_TYPE_CODE_RX, 0, true);
	gdt[STUB_KERNEL_CS >> 3] = longmode_descriptor(&s);
	s = longmode_flat_segment(STUB_KERNEL_DS, SEG_TYPE_DATA_RW, 0, false);
	gdt[STUB_KERNEL_DS >> 3] = longmode_descriptor(&s);
	s = longmode_flat_segment(STUB_USER_DS, SEG_TYPE_DATA_RW, 3, false);
	gdt[STUB_USER_DS >> 3] = longmode_descriptor(&s);
	s = longmode_flat_segment(STUB_USER_CS, SEG_TYPE_CODE_RX, 3, true);
	gdt[STUB_USER_CS >> 3] = longmode_descriptor(&s);
	for (unsigned int cpu = 0; cpu < plan->ncpus; cpu++) {
		uint64_t base = cpu_block(plan, cpu) +
				offsetof(struct stub_cpu, tss);

		s = tss_segment(cpu, base);
		/* A system descriptor is 16 bytes; the upper half holds base[63:32]. */
		gdt[STUB_TSS_SEL(cpu) >> 3] = longmode_descriptor(&s);
		gdt[(STUB_TSS_SEL(cpu) >> 3) + 1] = base >> 32;
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
	longmode_identity_map(mem, PT_GPA, true);

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
	struct kvm_segment cs, ds;
	struct kvm_sregs sregs;
	struct kvm_regs regs = {
		.rip = plan->entry,
		.rsp = block + STUB_CPU_BLOCK_SIZE,
		.rdi = index,
		.rsi = plan->ncpus,
		.rdx = plan->boot_info_gpa,
		.rflags = 0x2,	/* bit 1 is reserved and always set */
	};
	struct kvm_mp_state mp_state = { KVM_MP_STATE_RUNNABLE };

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs)) {
		set_error(err, errlen, "vCPU %u: KVM_GET_SREGS: %s", index,
			  strerror(errno));
		return -1;
	}
	/*
	 * DS, ES, FS and GS hold the DPL 3 data segment: IRET to CPL3 would
	 * null any with DPL < 3 (SDM Vol. 2A IRET), and GS.base must survive
	 * it because the runtime finds its per-vCPU data through GS.
	 */
	cs = longmode_flat_segment(STUB_KERNEL_CS, SEG_TYPE_CODE_RX, 0, true);
	ds = longmode_flat_segment(STUB_USER_DS, SEG_TYPE_DATA_RW, 3, false);
	longmode_sregs(&sregs, PT_GPA, &cs, &ds);
	sregs.ss = longmode_flat_segment(STUB_KERNEL_DS, SEG_TYPE_DATA_RW, 0, false);
	sregs.gs.base = block;
	sregs.tr = tss_segment(index, block + offsetof(struct stub_cpu, tss));
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = gdt_size(plan->ncpus) - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
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
	/*
	 * With an in-kernel LAPIC, KVM holds every vCPU but the bootstrap
	 * processor in the wait-for-SIPI state (KVM_MP_STATE_UNINITIALIZED),
	 * as a PC's application processors come out of reset (SDM Vol. 3A
	 * 9.4.1). Stubs start all vCPUs at the entry, so none waits.
	 */
	if (ioctl(vcpu_fd, KVM_SET_MP_STATE, &mp_state)) {
		set_error(err, errlen, "vCPU %u: KVM_SET_MP_STATE: %s", index,
			  strerror(errno));
		return -1;
	}
	return 0;
}
