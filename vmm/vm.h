/* SPDX-License-Identifier: GPL-2.0-only */
/* A VM's lifetime: create it from a config, run it, tear it down. */
#ifndef URSA_VMM_VM_H
#define URSA_VMM_VM_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "devices/acpi_pm.h"
#include "devices/debugexit.h"
#include "devices/pci.h"
#include "devices/uart8250.h"
#include "devices/virtio/blk.h"
#include "vfio/container.h"
#include "vfio/pci.h"
#include "vmm/boot/linux.h"
#include "vmm/boot/stub.h"
#include "vmm/bus.h"
#include "vmm/config.h"
#include "vmm/console.h"
#include "vmm/irq.h"
#include "vmm/layout.h"
#include "vmm/loop.h"
#include "vmm/memory.h"
#include "vmm/pause.h"
#include "vmm/vcpu.h"

struct kvm_host;

struct vm {
	const struct vm_config *cfg;
	struct kvm_host *kvm;
	int fd;
	struct layout layout;
	struct guest_memory mem;
	struct bus pio;
	struct bus mmio;
	struct console console;
	struct irq_router router;
	struct uart8250 uart;
	struct debugexit debugexit;
	struct acpi_pm pm;		/* Linux guests only */
	bool pm_ready;
	struct pci_host pci;
	bool pci_ready;
	struct virtio_blk *disks[URSA_MAX_DISKS];
	unsigned int nr_disks;
	struct vfio_container vfio;
	struct vfio_pci *vfio_devs[URSA_MAX_VFIO];
	unsigned int nr_vfio_devs;
	atomic_ulong bar_zaps;		/* see struct vfio_pci_env */
	atomic_ulong memfault_exits;	/* recovered KVM_EXIT_MEMORY_FAULTs */
	atomic_ulong recovered_efaults;	/* recovered EFAULTs without a gpa */
	struct stub_boot_plan stub_boot;
	struct linux_boot_plan linux_boot;
	struct vcpu *vcpus;
	unsigned int nr_vcpus;

	struct loop loop;
	int stop_fd;		/* eventfd: a vCPU thread wakes the loop to stop */
	int signal_fd;		/* SIGINT, SIGTERM, SIGQUIT */
	sigset_t saved_sigmask;

	atomic_bool stopping;
	int exit_status;	/* valid once stopping */
	atomic_uint nr_halted;
	struct vcpu_pause pause;
	atomic_bool bar_maps_wanted;	/* vfio_bars_defer_maps() */
};

/* Everything up to, not including, starting the vCPUs. On failure the VM
 * is already torn down and err says why. */
int vm_create(struct vm *vm, struct kvm_host *kvm,
	      const struct vm_config *cfg, char *err, size_t errlen);

/* Run until the guest or a signal ends it; returns ursa's exit status. */
int vm_run(struct vm *vm);
void vm_destroy(struct vm *vm);

/* From any thread: end the VM with status (the first request wins). */
void vm_request_stop(struct vm *vm, int status);
bool vm_stopping(const struct vm *vm);
/* A vCPU halted for good; the last one ends the VM with status 0. */
void vm_vcpu_halted(struct vm *vm);

#endif
