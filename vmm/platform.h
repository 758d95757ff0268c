/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PC a guest sees: KVM's interrupt controllers and PIT, COM1, the
 * debug-exit port, the ACPI PM block and tables (Linux guests), and the
 * PCI host bridge with the devices on it (virtio-blk disks).
 */
#ifndef URSA_VMM_PLATFORM_H
#define URSA_VMM_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* Before any vCPU exists. 0, or -1 with err. */
int platform_setup_irqchip(struct vm *vm, char *err, size_t errlen);

/* Build the ACPI tables into guest RAM; *rsdp_gpa says where they start. */
int platform_write_acpi(struct vm *vm, uint64_t *rsdp_gpa, char *err,
			size_t errlen);

/* Every device, on its bus. Needs the console, loop and IRQ router. */
int platform_add_devices(struct vm *vm, char *err, size_t errlen);
void platform_destroy(struct vm *vm);

/*
 * KVM_RUN failed with EFAULT (have_gpa: KVM_EXIT_MEMORY_FAULT at gpa).
 * Whether an assigned device's BAR explains it and was taken off its
 * memslots, so that re-running the instruction gets the BAR state's answer.
 */
bool platform_recover_fault(struct vm *vm, bool have_gpa, uint64_t gpa);

/* A line on stderr per assigned device: COMMAND and BAR states. */
void platform_describe_assigned(struct vm *vm);

/* From vCPU thread self at the top of its loop: add the BAR memslots that
 * wait for them, with every other vCPU out of KVM_RUN meanwhile. */
void platform_map_bars(struct vm *vm, const struct vcpu *self);

/* --stats: the counters, on stderr. */
/* Start the devices' I/O threads (before the vCPUs). 0, or -1 with the
 * error logged. */
int platform_start_io(struct vm *vm);
/* Stop them: a vCPU's reset then stops waiting for the disk's I/O. */
void platform_stop_io(struct vm *vm);
void platform_print_stats(struct vm *vm);

#endif
