// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "guest/stub_abi.h"
#include "vmm/exit_status.h"
#include "vmm/irq.h"
#include "vmm/kvm.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/stubs.h"
#include "vmm/vm.h"

void vm_request_stop(struct vm *vm, int status)
{
	bool expected = false;
	uint64_t one = 1;

	if (!atomic_compare_exchange_strong(&vm->stopping, &expected, true))
		return;
	vm->exit_status = status;
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		log_error("waking the event loop: %s", strerror(errno));
}

bool vm_stopping(const struct vm *vm)
{
	return atomic_load(&vm->stopping);
}

void vm_vcpu_halted(struct vm *vm)
{
	if (atomic_fetch_add(&vm->nr_halted, 1) + 1 == vm->nr_vcpus)
		vm_request_stop(vm, EXIT_GUEST_DONE);
}

static void debugexit_request(void *opaque, int status)
{
	vm_request_stop(opaque, status);
}

static void on_stop(void *opaque, const uint8_t *buf, size_t n, int errno_val)
{
	struct vm *vm = opaque;

	(void)buf;
	(void)n;
	(void)errno_val;
	loop_stop(&vm->loop);
}

static void on_signal(void *opaque, const uint8_t *buf, size_t n, int errno_val)
{
	const struct signalfd_siginfo *si = (const void *)buf;
	struct vm *vm = opaque;

	if (n >= sizeof(*si))
		vm_request_stop(vm, EXIT_SIGNAL_BASE + (int)si->ssi_signo);
	else
		log_error("signalfd: %s", errno_val ? strerror(errno_val) : "short read");
}

static void on_console_input(void *opaque, const uint8_t *buf, size_t n,
			     int errno_val)
{
	struct vm *vm = opaque;

	(void)errno_val;	/* EOF or an error: the guest just gets no more input */
	if (n)
		uart8250_receive(&vm->uart, buf, n);
}

/* Where a PC wires COM1's interrupt: ISA IRQ 4. */
#define COM1_IRQ	4

static void uart_set_irq(void *opaque, bool level)
{
	struct vm *vm = opaque;
	int ret = irq_line(vm->fd, COM1_IRQ, level);

	if (ret)
		log_error("IRQ %u: KVM_IRQ_LINE: %s", COM1_IRQ, strerror(-ret));
}

/*
 * KVM's models of the PC's interrupt controllers (two 8259 PICs, the
 * IOAPIC, a LAPIC per vCPU) and of the 8254 PIT. Must exist before the
 * vCPUs. The TSS and identity-map pages are for Intel VMX, which needs
 * them to run real-mode code (KVM_SET_TSS_ADDR in api.rst); they go just
 * below the BIOS area at the top of the 32-bit space, clear of everything
 * the guest is told about.
 */
#define VMX_TSS_GPA		0xfffbd000
#define VMX_IDENTITY_MAP_GPA	0xfffbc000

static int setup_irqchip(struct vm *vm, char *err, size_t errlen)
{
	static const struct {
		long cap;
		const char *name;
	} caps[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
		{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
	};
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t identity_map = VMX_IDENTITY_MAP_GPA;
	const char *what;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (ioctl(vm->kvm->fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			set_error(err, errlen, "KVM lacks %s, which booting Linux requires",
				  caps[i].name);
			return -1;
		}
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

static void kick_handler(int sig)
{
	(void)sig;
}

/*
 * SIGINT and SIGTERM are blocked in every thread and read from a signalfd
 * by the loop. VCPU_KICK_SIGNAL gets an empty handler without SA_RESTART,
 * so delivering it makes a blocked KVM_RUN return EINTR.
 */
static int setup_signals(struct vm *vm, char *err, size_t errlen)
{
	struct sigaction kick = { .sa_handler = kick_handler };
	sigset_t stop_set;

	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	sigemptyset(&kick.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &kick, NULL) ||
	    pthread_sigmask(SIG_BLOCK, &stop_set, &vm->saved_sigmask)) {
		set_error(err, errlen, "signals: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	vm->signal_fd = signalfd(-1, &stop_set, SFD_CLOEXEC);
	if (vm->signal_fd < 0) {
		set_error(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int setup_loop(struct vm *vm, char *err, size_t errlen)
{
	int ret;

	vm->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->stop_fd < 0) {
		set_error(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	ret = loop_init(&vm->loop);
	if (!ret)
		ret = loop_add_reader(&vm->loop, vm->stop_fd, on_stop, vm);
	if (!ret)
		ret = loop_add_reader(&vm->loop, vm->signal_fd, on_signal, vm);
	if (!ret && vm->console.in_fd >= 0)
		ret = loop_add_reader(&vm->loop, vm->console.in_fd,
				      on_console_input, vm);
	if (ret) {
		set_error(err, errlen, "io_uring event loop: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

static int add_device(struct bus *bus, uint64_t base, uint64_t len,
		      const char *name, const struct bus_ops *ops, void *dev,
		      char *err, size_t errlen)
{
	int ret = bus_add(bus, base, len, name, ops, dev);

	if (ret)
		set_error(err, errlen, "%s at 0x%llx on the %s bus: %s", name,
			  (unsigned long long)base, bus->name, strerror(-ret));
	return ret;
}

static int setup_devices(struct vm *vm, char *err, size_t errlen)
{
	uart8250_init(&vm->uart, &vm->console, vm->irqchip ? uart_set_irq : NULL, vm);
	vm->debugexit = (struct debugexit){ debugexit_request, vm };
	if (add_device(&vm->pio, STUB_COM1_PORT, UART_NR_PORTS, "com1",
		       &uart8250_ops, &vm->uart, err, errlen) ||
	    add_device(&vm->pio, STUB_DEBUG_EXIT_PORT, DEBUGEXIT_NR_PORTS,
		       "debug-exit", &debugexit_ops, &vm->debugexit, err, errlen))
		return -1;
	return 0;
}

static int load_guest(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct stub_image img;
	int ret;

	if (cfg->kernel)
		return linux_boot_prepare(&vm->mem, &vm->layout, cfg->kernel,
					  cfg->initrd, cfg->append, 0,
					  &vm->linux_boot, err, errlen);
	if (stub_image_open(cfg->builtin, cfg->stub_name, &img, err, errlen))
		return -1;
	ret = stub_boot_prepare(&vm->mem, &img, cfg->stub_name, cfg->cpus,
				cfg->append, &vm->stub_boot, err, errlen);
	stub_image_close(&img);
	return ret;
}

/* A stub starts on every vCPU; Linux on vCPU 0, which wakes the others
 * with INIT/SIPI through the in-kernel LAPICs. */
static int boot_vcpu(struct vm *vm, struct vcpu *vcpu, char *err, size_t errlen)
{
	if (!vm->cfg->kernel)
		return stub_boot_vcpu(&vm->stub_boot, vcpu->index, vcpu->fd, err, errlen);
	if (vcpu->index == 0)
		return linux_boot_vcpu(&vm->linux_boot, vcpu->fd, err, errlen);
	return 0;
}

static int setup_vcpus(struct vm *vm, char *err, size_t errlen)
{
	vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		set_error(err, errlen, "out of memory for %u vCPUs", vm->cfg->cpus);
		return -1;
	}
	for (unsigned int i = 0; i < vm->cfg->cpus; i++) {
		vm->nr_vcpus = i + 1;
		if (vcpu_create(&vm->vcpus[i], vm, i, err, errlen) ||
		    boot_vcpu(vm, &vm->vcpus[i], err, errlen))
			return -1;
	}
	return 0;
}

int vm_create(struct vm *vm, struct kvm_host *kvm,
	      const struct vm_config *cfg, char *err, size_t errlen)
{
	*vm = (struct vm){
		.cfg = cfg, .kvm = kvm, .fd = -1, .stop_fd = -1, .signal_fd = -1,
		.mem = { .memfd = -1 },
		.console = { .out_fd = -1, .in_fd = -1 },
		.irqchip = cfg->kernel != NULL,
	};
	sigemptyset(&vm->saved_sigmask);
	pthread_sigmask(SIG_SETMASK, NULL, &vm->saved_sigmask);
	if (layout_compute(cfg->memory, cfg->phys_bits, &vm->layout, err, errlen))
		return -1;
	vm->fd = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		set_error(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	if (memory_create(&vm->mem, &vm->layout, err, errlen) ||
	    memory_register(&vm->mem, vm->fd, kvm->has_user_memory2, err, errlen) ||
	    (cfg->debug_memfault_slot &&
	     memory_add_inaccessible(&vm->mem, vm->fd, kvm->has_user_memory2,
				     STUB_MEMFAULT_GPA, STUB_MEMFAULT_SIZE,
				     err, errlen)) ||
	    bus_init(&vm->pio, "pio") || bus_init(&vm->mmio, "mmio") ||
	    (vm->irqchip && setup_irqchip(vm, err, errlen)) ||
	    load_guest(vm, err, errlen) ||
	    console_open(&vm->console, cfg->console, cfg->console_path, err, errlen) ||
	    setup_devices(vm, err, errlen))
		goto fail;
	if (setup_vcpus(vm, err, errlen) || setup_signals(vm, err, errlen) ||
	    setup_loop(vm, err, errlen))
		goto fail;
	return 0;
fail:
	vm_destroy(vm);
	return -1;
}

int vm_run(struct vm *vm)
{
	int ret;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			log_error("starting vCPU %u: %s", i, strerror(-ret));
			vm_request_stop(vm, EXIT_HOST_ERROR);
			break;
		}
	}
	ret = loop_run(&vm->loop);
	if (ret) {
		log_error("event loop: %s", strerror(-ret));
		vm_request_stop(vm, EXIT_HOST_ERROR);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	return vm->exit_status;
}

void vm_destroy(struct vm *vm)
{
	loop_destroy(&vm->loop);
	for (unsigned int i = 0; vm->vcpus && i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	free(vm->vcpus);
	vm->vcpus = NULL;
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	pthread_sigmask(SIG_SETMASK, &vm->saved_sigmask, NULL);
	uart8250_destroy(&vm->uart);
	console_close(&vm->console);
	bus_destroy(&vm->mmio);
	bus_destroy(&vm->pio);
	memory_destroy(&vm->mem);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = vm->stop_fd = vm->signal_fd = -1;
}
