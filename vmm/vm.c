// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <pthread.h>
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
#include "vmm/platform.h"
#include "vmm/seccomp.h"
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
	struct vm *vm = opaque;

	if (!n)
		log_error("signalfd: %s", strerror(errno_val));
	/* A read returns whole signalfd_siginfo records, one per signal. */
	for (size_t off = 0; off + sizeof(struct signalfd_siginfo) <= n;
	     off += sizeof(struct signalfd_siginfo)) {
		const struct signalfd_siginfo *si = (const void *)(buf + off);

		if (si->ssi_signo != SIGQUIT) {
			vm_request_stop(vm, EXIT_SIGNAL_BASE + (int)si->ssi_signo);
			continue;
		}
		for (unsigned int i = 0; i < vm->nr_vcpus; i++)
			vcpu_request_dump(&vm->vcpus[i]);
	}
}


static void on_console_input(void *opaque, const uint8_t *buf, size_t n,
			     int errno_val)
{
	struct vm *vm = opaque;

	(void)errno_val;	/* EOF or an error: the guest just gets no more input */
	if (n)
		uart8250_receive(&vm->uart, buf, n);
}

static void kick_handler(int sig)
{
	(void)sig;
}

/*
 * SIGINT and SIGTERM (stop the VM) and SIGQUIT (print every vCPU's
 * registers, as Ctrl-\ on the terminal) are blocked in every thread and
 * read from a signalfd by the loop. VCPU_KICK_SIGNAL gets an empty handler without SA_RESTART,
 * so delivering it makes a blocked KVM_RUN return EINTR.
 */
static int setup_signals(struct vm *vm, char *err, size_t errlen)
{
	struct sigaction kick = { .sa_handler = kick_handler };
	sigset_t stop_set;

	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGINT);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGQUIT);
	sigemptyset(&kick.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &kick, NULL) ||
	    pthread_sigmask(SIG_BLOCK, &stop_set, NULL)) {
		set_error(err, errlen, "signals: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (seccomp_prepare(vm->cfg->seccomp, console_restore_terminal, &vm->console,
			    err, errlen))
		return -1;
	vm->signal_fd = signalfd(-1, &stop_set, SFD_CLOEXEC);
	if (vm->signal_fd < 0) {
		set_error(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The loop's own sources; devices add theirs when they are created. */
static int setup_loop(struct vm *vm, char *err, size_t errlen)
{
	int ret;

	vm->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->stop_fd < 0) {
		set_error(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
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

static int load_guest(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *cfg = vm->cfg;
	struct stub_image img;
	int ret;

	uint64_t rsdp;

	if (cfg->kernel)
		return platform_write_acpi(vm, &rsdp, err, errlen) ||
		       linux_boot_prepare(&vm->mem, &vm->layout, cfg->kernel,
					  cfg->initrd, cfg->append, rsdp,
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
	int ret;

	*vm = (struct vm){
		.cfg = cfg, .kvm = kvm, .fd = -1, .stop_fd = -1, .signal_fd = -1,
		.mem = { .memfd = -1 },
		.console = { .out_fd = -1, .in_fd = -1 },
		.pause = VCPU_PAUSE_INIT,
	};
	/* Saved first, so that vm_destroy() restores it from any failure. */
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
	    bus_init(&vm->pio, "pio") || bus_init(&vm->mmio, "mmio"))
		goto fail;
	if (platform_setup_irqchip(vm, err, errlen) ||
	    load_guest(vm, err, errlen))
		goto fail;
	if (loop_init(&vm->loop)) {
		set_error(err, errlen, "io_uring event loop: cannot set up a ring");
		goto fail;
	}
	ret = irq_router_init(&vm->router, vm->fd, true);
	if (ret) {
		set_error(err, errlen, "KVM_SET_GSI_ROUTING: %s", strerror(-ret));
		goto fail;
	}
	if (console_open(&vm->console, cfg, err, errlen) ||
	    platform_add_devices(vm, err, errlen))
		goto fail;
	if (setup_vcpus(vm, err, errlen) || setup_signals(vm, err, errlen) ||
	    setup_loop(vm, err, errlen))
		goto fail;
	console_start(&vm->console);
	return 0;
fail:
	console_abandon(&vm->console);
	vm_destroy(vm);
	return -1;
}

/*
 * The event loop runs in a thread of its own, confined to its role; the
 * main thread only starts the threads, waits and tears the VM down, so
 * teardown (and the sanitizers' exit-time work) needs no allowlist.
 */
static void *loop_thread(void *arg)
{
	struct vm *vm = arg;
	int ret = seccomp_confine(vm->cfg->seccomp, SECCOMP_ROLE_LOOP);

	if (ret) {
		log_error("seccomp: confining the event loop: %s (--seccomp off runs without)",
			  strerror(-ret));
		vm_request_stop(vm, EXIT_HOST_ERROR);
	} else if (vm->cfg->debug_forbidden == FORBIDDEN_IN_LOOP) {
		seccomp_make_forbidden_call();
	}
	/* A stop requested above ends the loop at its first turn. */
	ret = loop_run(&vm->loop);
	if (ret) {
		log_error("event loop: %s", strerror(-ret));
		vm_request_stop(vm, EXIT_HOST_ERROR);
	}
	return NULL;
}

int vm_run(struct vm *vm)
{
	pthread_t loop;
	int ret;

	if (platform_start_io(vm))
		vm_request_stop(vm, EXIT_HOST_ERROR);
	for (unsigned int i = 0; i < vm->nr_vcpus && !vm_stopping(vm); i++) {
		ret = vcpu_start(&vm->vcpus[i]);
		if (ret) {
			log_error("starting vCPU %u: %s", i, strerror(-ret));
			vm_request_stop(vm, EXIT_HOST_ERROR);
			break;
		}
	}
	ret = pthread_create(&loop, NULL, loop_thread, vm);
	if (ret) {
		log_error("starting the event loop: %s", strerror(ret));
		vm_request_stop(vm, EXIT_HOST_ERROR);
	} else {
		pthread_join(loop, NULL);
	}
	/* Before the vCPUs: one in a reset waits for its disk's I/O only
	 * while that thread runs. */
	platform_stop_io(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_join(&vm->vcpus[i]);
	if (vm->cfg->stats)
		platform_print_stats(vm);
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
	platform_destroy(vm);
	irq_router_destroy(&vm->router);
	console_close(&vm->console);
	bus_destroy(&vm->mmio);
	bus_destroy(&vm->pio);
	memory_destroy(&vm->mem);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = vm->stop_fd = vm->signal_fd = -1;
}
