// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "guest/stub_abi.h"
#include "vmm/boot/acpi.h"
#include "vmm/exit_status.h"
#include "vmm/kvm.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/platform.h"
#include "vmm/vm.h"

/* Where a PC wires COM1's interrupt: ISA IRQ 4. */
#define COM1_IRQ	4

/*
 * The TSS and identity-map pages are for Intel VMX, which needs them to
 * run real-mode code (KVM_SET_TSS_ADDR in api.rst); they go just below the
 * BIOS area at the top of the 32-bit space, clear of everything the guest
 * is told about.
 */
#define VMX_TSS_GPA		0xfffbd000
#define VMX_IDENTITY_MAP_GPA	0xfffbc000

int platform_setup_irqchip(struct vm *vm, char *err, size_t errlen)
{
	static const struct kvm_cap caps[] = {
		KVM_CAP_ENTRY(KVM_CAP_IRQCHIP),
		KVM_CAP_ENTRY(KVM_CAP_PIT2),
		KVM_CAP_ENTRY(KVM_CAP_SET_TSS_ADDR),
		KVM_CAP_ENTRY(KVM_CAP_SET_IDENTITY_MAP_ADDR),
		KVM_CAP_ENTRY(KVM_CAP_IRQFD),
		KVM_CAP_ENTRY(KVM_CAP_IRQ_ROUTING),
	};
	/* KVM's models of the two 8259 PICs, the IOAPIC, a LAPIC per vCPU
	 * and the 8254 PIT (whose speaker port nobody listens to). */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t identity_map = VMX_IDENTITY_MAP_GPA;
	const char *what = kvm_host_lacks(vm->kvm, caps, sizeof(caps) / sizeof(caps[0]));

	if (what) {
		set_error(err, errlen, "KVM lacks %s, which ursa's interrupt controllers require", what);
		return -1;
	}
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, VMX_TSS_GPA))
		what = "KVM_SET_TSS_ADDR";
	else if (ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &identity_map))
		what = "KVM_SET_IDENTITY_MAP_ADDR";
	else if (ioctl(vm->fd, KVM_CREATE_IRQCHIP))
		what = "KVM_CREATE_IRQCHIP";
	else if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit))
		what = "KVM_CREATE_PIT2";
	else
		return 0;
	set_error(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

int platform_write_acpi(struct vm *vm, uint64_t *rsdp_gpa, char *err,
			size_t errlen)
{
	struct acpi_platform p;
	uint8_t *tables = gpa_to_hva(&vm->mem, ACPI_TABLES_GPA, ACPI_TABLES_SIZE);
	size_t used;

	acpi_platform_default(&p, vm->cfg->cpus);
	p.mmio64 = (struct acpi_window){ vm->layout.pci_mmio64_base,
					 vm->layout.pci_mmio64_size };
	/* Assigned devices: their slots are the user's (--vfio) and stay. */
	for (unsigned int i = 0; i < vm->cfg->nr_vfio; i++)
		p.pci_slots |= 1u << vm->cfg->vfio[i].slot;
	return acpi_build(&p, ACPI_TABLES_GPA, tables, ACPI_TABLES_SIZE, &used,
			  rsdp_gpa, err, errlen);
}

static void uart_set_irq(void *opaque, bool level)
{
	struct vm *vm = opaque;
	int ret = irq_line(vm->fd, COM1_IRQ, level);

	if (ret)
		log_error("IRQ %u: KVM_IRQ_LINE: %s", COM1_IRQ, strerror(-ret));
}

/* PCI INTx pins go to the IOAPIC inputs the DSDT's _PRT names. */
static void pci_set_intx(void *opaque, unsigned int slot, unsigned int pin,
			 bool level)
{
	struct vm *vm = opaque;
	unsigned int gsi = acpi_pci_intx_gsi(slot, pin);
	int ret = irq_line(vm->fd, gsi, level);

	if (ret)
		log_error("PCI INTx GSI %u: KVM_IRQ_LINE: %s", gsi, strerror(-ret));
}

static void request_exit(void *opaque, int status)
{
	vm_request_stop(opaque, status);
}

static int add_ports(struct vm *vm, uint64_t base, uint64_t len,
		     const char *name, const struct bus_ops *ops, void *dev,
		     char *err, size_t errlen)
{
	int ret = bus_add(&vm->pio, base, len, name, ops, dev);

	if (ret)
		set_error(err, errlen, "%s at port 0x%llx: %s", name,
			  (unsigned long long)base, strerror(-ret));
	return ret;
}

static int add_disks(struct vm *vm, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < vm->cfg->nr_disks; i++) {
		const struct disk_config *d = &vm->cfg->disks[i];
		struct virtio_blk_params p = {
			d->path, d->read_only, d->direct, d->queues, d->poll_us,
		};
		struct virtio_blk *b = calloc(1, sizeof(*b));

		if (!b) {
			set_error(err, errlen, "--disk '%s': out of memory", d->path);
			return -1;
		}
		if (virtio_blk_init(b, &p, &vm->mem, &vm->router, vm->fd, err, errlen)) {
			free(b);
			return -1;
		}
		vm->disks[vm->nr_disks++] = b;
		if (pci_host_add_device(&vm->pci, &b->vp.pci, 0, err, errlen))
			return -1;
	}
	return 0;
}

static unsigned int intx_gsi(unsigned int slot, unsigned int pin)
{
	return acpi_pci_intx_gsi(slot, pin);
}

/* The devices first, then guest RAM mapped for their DMA (the container
 * has an IOMMU context only once a group is in). */
/* The host wants an assigned device back (it is being removed or unbound):
 * the VM ends, which releases it. */
static void device_requested(void *opaque, const char *name)
{
	struct vm *vm = opaque;

	log_error("%s: the host wants the device back (unplugged or unbound); stopping the VM",
		  name);
	vm_request_stop(vm, EXIT_HOST_ERROR);
}

/* A BAR waits for its memslots: the next vCPU thread at the top of its
 * loop adds them, with the other vCPUs paused (vfio_bars_defer_maps()).
 * Until then the BAR is TRAPPED: correct, only slower. */
static void map_bars_later(void *opaque)
{
	struct vm *vm = opaque;

	atomic_store(&vm->bar_maps_wanted, true);
}

void platform_map_bars(struct vm *vm, const struct vcpu *self)
{
	/* A load first: every vCPU looks here on every exit. */
	if (!atomic_load(&vm->bar_maps_wanted) ||
	    !atomic_exchange(&vm->bar_maps_wanted, false) || !vm_pause_others(vm, self))
		return;
	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++)
		vfio_pci_map_bars(vm->vfio_devs[i]);
	vm_resume_others(vm);
}

static int add_vfio_devices(struct vm *vm, char *err, size_t errlen)
{
	const struct vfio_pci_env env = {
		.vm_fd = vm->fd,
		.use_region2 = vm->kvm->has_user_memory2,
		.mem = &vm->mem,
		.mmio = &vm->mmio,
		.pio = &vm->pio,
		.router = &vm->router,
		.host = &vm->pci,
		.intx_gsi = intx_gsi,
		.zaps = &vm->bar_zaps,
		.loop = &vm->loop,
		.host_request = device_requested,
		.map_bars_later = map_bars_later,
		.opaque = vm,
	};

	for (unsigned int i = 0; i < vm->cfg->nr_vfio; i++) {
		const struct vfio_dev_config *d = &vm->cfg->vfio[i];
		struct vfio_pci *vp = calloc(1, sizeof(*vp));

		if (!vp) {
			set_error(err, errlen, "--vfio %s: out of memory", d->bdf);
			return -1;
		}
		if (vfio_pci_create(vp, d->bdf, d->slot,
				    d->bar_order_qemu ? VFIO_BAR_ORDER_QEMU : VFIO_BAR_ORDER_SAFE,
				    &vm->vfio, &env, err, errlen)) {
			free(vp);
			return -1;
		}
		vm->vfio_devs[vm->nr_vfio_devs++] = vp;
	}
	if (vm->nr_vfio_devs)
		return vfio_container_map_ram(&vm->vfio, &vm->mem, err, errlen);
	return 0;
}

int platform_add_devices(struct vm *vm, char *err, size_t errlen)
{
	uart8250_init(&vm->uart, &vm->console, uart_set_irq, vm);
	vm->debugexit = (struct debugexit){ request_exit, vm };
	if (add_ports(vm, STUB_COM1_PORT, UART_NR_PORTS, "com1", &uart8250_ops,
		      &vm->uart, err, errlen) ||
	    add_ports(vm, STUB_DEBUG_EXIT_PORT, DEBUGEXIT_NR_PORTS, "debug-exit",
		      &debugexit_ops, &vm->debugexit, err, errlen))
		return -1;
	if (vm->cfg->kernel) {
		acpi_pm_init(&vm->pm, request_exit, NULL, vm);
		vm->pm_ready = true;
		if (add_ports(vm, ACPI_PM_BASE, ACPI_PM_NR_PORTS, "acpi-pm",
			      &acpi_pm_ops, &vm->pm, err, errlen))
			return -1;
	}
	if (pci_host_init(&vm->pci, &vm->pio, &vm->mmio, &vm->layout,
			  pci_set_intx, vm, err, errlen))
		return -1;
	vm->pci_ready = true;
	if (add_vfio_devices(vm, err, errlen))
		return -1;
	return add_disks(vm, err, errlen);
}

void platform_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++) {
		vfio_pci_destroy(vm->vfio_devs[i]);
		free(vm->vfio_devs[i]);
	}
	vm->nr_vfio_devs = 0;
	vfio_container_close(&vm->vfio);
	for (unsigned int i = 0; i < vm->nr_disks; i++) {
		virtio_blk_destroy(vm->disks[i]);
		free(vm->disks[i]);
	}
	vm->nr_disks = 0;
	if (vm->pci_ready)
		pci_host_destroy(&vm->pci);
	if (vm->pm_ready)
		acpi_pm_destroy(&vm->pm);
	vm->pci_ready = vm->pm_ready = false;
	uart8250_destroy(&vm->uart);
}

bool platform_recover_fault(struct vm *vm, bool have_gpa, uint64_t gpa)
{
	bool recovered = false;

	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++)
		recovered |= vfio_pci_recover_fault(vm->vfio_devs[i], have_gpa, gpa);
	return recovered;
}

void platform_describe_assigned(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++) {
		char line[512];

		vfio_pci_describe(vm->vfio_devs[i], line, sizeof(line));
		log_error("%s", line);
	}
}

/* An I/O thread failed: the VM cannot go on without its disk. */
static void io_failed(void *opaque)
{
	vm_request_stop(opaque, EXIT_HOST_ERROR);
}

int platform_start_io(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_disks; i++) {
		int ret = virtio_blk_start(vm->disks[i], vm->cfg->seccomp, io_failed, vm);

		if (ret) {
			log_error("disk %u: starting its I/O thread: %s", i, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

void platform_stop_io(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_disks; i++)
		virtio_blk_stop(vm->disks[i]);
}

void platform_print_stats(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vfio_devs; i++) {
		const struct vfio_pci *vp = vm->vfio_devs[i];
		const struct vfio_bar_stats *s = &vp->bars.stats;

		log_error("stats: %s: ur-reads %lu dropped-writes %lu transitions %lu demotions %lu",
			  vp->name, atomic_load(&s->ur_reads), atomic_load(&s->dropped_writes),
			  atomic_load(&s->transitions), atomic_load(&s->demotions));
	}
	for (unsigned int i = 0; i < vm->nr_disks; i++) {
		struct virtio_blk_stats s;

		virtio_blk_get_stats(vm->disks[i], &s);
		log_error("stats: disk %u: requests %lu errors %lu notifications %lu interrupts %lu busy-turns %lu sleeps %lu",
			  i, s.requests, s.errors, s.notifications, s.interrupts,
			  s.poll.busy_turns, s.poll.sleeps);
	}
	log_error("stats: memory-fault-exits %lu recovered-efaults %lu",
		  atomic_load(&vm->memfault_exits), atomic_load(&vm->recovered_efaults));
}
