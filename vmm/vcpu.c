// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest/stub_abi.h"
#include "vmm/cpuid.h"
#include "vmm/exit_status.h"
#include "vmm/kvm.h"
#include "vmm/platform.h"
#include "vmm/kvm_uapi.h"
#include "vmm/log.h"
#include "vmm/seccomp.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_dump.h"
#include "vmm/vm.h"

enum vcpu_next { VCPU_CONTINUE, VCPU_STOP };

int vcpu_create(struct vcpu *vcpu, struct vm *vm, unsigned int index,
		char *err, size_t errlen)
{
	struct kvm_cpuid2 *cpuid;

	*vcpu = (struct vcpu){ .vm = vm, .index = index, .fd = -1 };
	vcpu->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (vcpu->fd < 0) {
		set_error(err, errlen, "vCPU %u: KVM_CREATE_VCPU: %s", index,
			  strerror(errno));
		return -1;
	}
	vcpu->run_size = vm->kvm->vcpu_mmap_size;
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		set_error(err, errlen, "vCPU %u: mapping kvm_run: %s", index,
			  strerror(errno));
		return -1;
	}
	/*
	 * CPUID goes first: KVM checks later state against it (a real KVM
	 * refuses long-mode SREGS with EINVAL while CPUID lacks LM).
	 */
	cpuid = cpuid_for_vcpu(vm->kvm->supported_cpuid, index, vm->cfg->phys_bits,
			       vm->cfg->nested);
	if (!cpuid || ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid)) {
		set_error(err, errlen, "vCPU %u: KVM_SET_CPUID2: %s", index,
			  cpuid ? strerror(errno) : "out of memory");
		free(cpuid);
		return -1;
	}
	free(cpuid);
	return 0;
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
}

static const char *const exit_reason_names[] = {
	[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
	[KVM_EXIT_IO] = "KVM_EXIT_IO",
	[KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
	[KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
	[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
	[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
	[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
	[KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
	[KVM_EXIT_NMI] = "KVM_EXIT_NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
	[KVM_EXIT_WATCHDOG] = "KVM_EXIT_WATCHDOG",
	[KVM_EXIT_EPR] = "KVM_EXIT_EPR",
	[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
	[KVM_EXIT_IOAPIC_EOI] = "KVM_EXIT_IOAPIC_EOI",
	[KVM_EXIT_HYPERV] = "KVM_EXIT_HYPERV",
	[KVM_EXIT_X86_RDMSR] = "KVM_EXIT_X86_RDMSR",
	[KVM_EXIT_X86_WRMSR] = "KVM_EXIT_X86_WRMSR",
	[KVM_EXIT_DIRTY_RING_FULL] = "KVM_EXIT_DIRTY_RING_FULL",
	[KVM_EXIT_AP_RESET_HOLD] = "KVM_EXIT_AP_RESET_HOLD",
	[KVM_EXIT_X86_BUS_LOCK] = "KVM_EXIT_X86_BUS_LOCK",
	[KVM_EXIT_XEN] = "KVM_EXIT_XEN",
	[KVM_EXIT_NOTIFY] = "KVM_EXIT_NOTIFY",
	[KVM_EXIT_MEMORY_FAULT] = "KVM_EXIT_MEMORY_FAULT",
};

static const char *kvm_exit_reason_name(unsigned int reason)
{
	if (reason < sizeof(exit_reason_names) / sizeof(exit_reason_names[0]) &&
	    exit_reason_names[reason])
		return exit_reason_names[reason];
	return "unknown";
}

/*
 * Print why this vCPU cannot go on, with the state needed to find out
 * where the guest was, then stop the whole VM with EXIT_GUEST_FATAL.
 */
__attribute__((format(printf, 2, 3)))
static enum vcpu_next vcpu_fatal(struct vcpu *vcpu, const char *fmt, ...)
{
	static pthread_mutex_t diag_lock = PTHREAD_MUTEX_INITIALIZER;
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&diag_lock);
	/* Only the first fatal vCPU speaks; the others are being stopped. */
	if (!vm_stopping(vcpu->vm)) {
		log_error("vcpu %u: fatal: %s", vcpu->index, what);
		vcpu_dump_state(vcpu);
		vm_request_stop(vcpu->vm, EXIT_GUEST_FATAL);
	}
	pthread_mutex_unlock(&diag_lock);
	return VCPU_STOP;
}

_Static_assert(STUB_HALT_PORT >= STUB_DEBUG_EXIT_PORT + DEBUGEXIT_NR_PORTS,
	       "the halt port lies clear of debug-exit's ports");

/*
 * A stub's vCPU says it is done by writing STUB_HALT_PORT: with the
 * in-kernel LAPIC, HLT waits inside KVM_RUN for an interrupt and never
 * reaches ursa. The port is the writing vCPU's own business, so it is
 * handled here rather than by a device on the bus, which cannot tell
 * vCPUs apart. Linux guests have no such port.
 */
static bool is_stub_halt(const struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;

	return !vcpu->vm->cfg->kernel && run->io.port == STUB_HALT_PORT &&
	       run->io.direction == KVM_EXIT_IO_OUT;
}

static enum vcpu_next handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	/* The thread stops entering KVM_RUN; the last vCPU ends the VM. */
	if (is_stub_halt(vcpu)) {
		vm_vcpu_halted(vcpu->vm);
		return VCPU_STOP;
	}
	/* KVM keeps string I/O data inside the kvm_run mapping; check anyway. */
	if (run->io.data_offset > vcpu->run_size ||
	    bytes > vcpu->run_size - run->io.data_offset)
		return vcpu_fatal(vcpu, "KVM_EXIT_IO data outside kvm_run (offset 0x%llx, %u x %u bytes)",
				  (unsigned long long)run->io.data_offset,
				  run->io.count, run->io.size);
	for (uint32_t i = 0; i < run->io.count; i++)
		bus_access(&vcpu->vm->pio, run->io.port, data + i * run->io.size,
			   run->io.size, run->io.direction == KVM_EXIT_IO_OUT);
	return VCPU_CONTINUE;
}

static enum vcpu_next handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->mmio.len > sizeof(run->mmio.data))
		return vcpu_fatal(vcpu, "KVM_EXIT_MMIO of %u bytes at 0x%llx",
				  run->mmio.len, run->mmio.phys_addr);
	bus_access(&vcpu->vm->mmio, run->mmio.phys_addr, run->mmio.data,
		   run->mmio.len, run->mmio.is_write);
	return VCPU_CONTINUE;
}

static enum vcpu_next handle_shutdown(struct vcpu *vcpu)
{
	return vcpu_fatal(vcpu, "the guest shut the CPU down (triple fault), KVM_EXIT_SHUTDOWN");
}

static enum vcpu_next handle_system_event(struct vcpu *vcpu)
{
	switch (vcpu->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_stop(vcpu->vm, EXIT_GUEST_DONE);
		return VCPU_STOP;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_stop(vcpu->vm, EXIT_GUEST_RESET);
		return VCPU_STOP;
	case KVM_SYSTEM_EVENT_CRASH:
		return vcpu_fatal(vcpu, "the guest reported a crash (KVM_SYSTEM_EVENT_CRASH)");
	default:
		return vcpu_fatal(vcpu, "KVM_EXIT_SYSTEM_EVENT of unhandled type %u",
				  vcpu->run->system_event.type);
	}
}

static enum vcpu_next handle_internal_error(struct vcpu *vcpu)
{
	const struct kvm_run *run = vcpu->run;
	char data[256] = "";
	size_t n = 0;

	for (uint32_t i = 0; i < run->internal.ndata && i < 16 && n < sizeof(data); i++)
		n += snprintf(data + n, sizeof(data) - n, " 0x%llx",
			      run->internal.data[i]);
	return vcpu_fatal(vcpu, "KVM_EXIT_INTERNAL_ERROR suberror %u%s%s",
			  run->internal.suberror,
			  run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			  " (instruction emulation failed)" : "",
			  *data ? data : "");
}

static enum vcpu_next handle_fail_entry(struct vcpu *vcpu)
{
	return vcpu_fatal(vcpu, "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x%llx on cpu %u",
			  vcpu->run->fail_entry.hardware_entry_failure_reason,
			  vcpu->run->fail_entry.cpu);
}

/* A signal made KVM_RUN return; the loop checks whether to stop. */
static enum vcpu_next handle_intr(struct vcpu *vcpu)
{
	(void)vcpu;
	return VCPU_CONTINUE;
}

typedef enum vcpu_next (*exit_handler)(struct vcpu *vcpu);

static const exit_handler exit_handlers[] = {
	[KVM_EXIT_IO] = handle_io,
	[KVM_EXIT_MMIO] = handle_mmio,
	[KVM_EXIT_SHUTDOWN] = handle_shutdown,
	[KVM_EXIT_SYSTEM_EVENT] = handle_system_event,
	[KVM_EXIT_INTERNAL_ERROR] = handle_internal_error,
	[KVM_EXIT_FAIL_ENTRY] = handle_fail_entry,
	[KVM_EXIT_INTR] = handle_intr,
};

static enum vcpu_next dispatch_exit(struct vcpu *vcpu)
{
	unsigned int reason = vcpu->run->exit_reason;

	if (reason < sizeof(exit_handlers) / sizeof(exit_handlers[0]) &&
	    exit_handlers[reason])
		return exit_handlers[reason](vcpu);
	return vcpu_fatal(vcpu, "unhandled exit reason %u (%s)", reason,
			  kvm_exit_reason_name(reason));
}

/*
 * EFAULTs in a row that ursa recovers from before it calls the guest
 * broken: a recovery takes the BAR off its memslots, so the re-run access
 * cannot fault the same way again.
 */
#define VCPU_MAX_FAULT_RETRIES	8

/*
 * KVM_RUN failed with EFAULT: KVM could not fault in host memory behind a
 * guest access (kvm_handle_error_pfn()). Kernels with
 * KVM_CAP_MEMORY_FAULT_INFO and ursa's patch say where through
 * run->memory_fault (exit_reason KVM_EXIT_MEMORY_FAULT); others do not.
 *
 * On an assigned device's BAR this is vfio-pci having zapped the mapping
 * under a memslot (memory decoding went off). With the gpa, the BAR
 * holding it is demoted; without, the fault is attributed to the BARs of
 * devices that do not decode memory now, or to a zap that happened while
 * this vCPU was in KVM_RUN. Either way the instruction runs again and
 * exits as MMIO. Anything else is fatal, with the assigned devices' state.
 */
static enum vcpu_next handle_efault(struct vcpu *vcpu)
{
	const struct ursa_kvm_memory_fault *mf = kvm_run_memory_fault(vcpu->run);
	bool have_gpa = vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT;
	struct vm *vm = vcpu->vm;
	const char *why = "";

	if (!vm->cfg->fault_recovery) {
		why = ", fault recovery is off";
	} else if (vcpu->fault_retries == VCPU_MAX_FAULT_RETRIES) {
		why = ", still faulting after recoveries";
	} else if (platform_recover_fault(vm, have_gpa, have_gpa ? mf->gpa : 0) ||
		   (!have_gpa && atomic_load(&vm->bar_zaps) != vcpu->zaps_seen)) {
		vcpu->fault_retries++;
		atomic_fetch_add(have_gpa ? &vm->memfault_exits : &vm->recovered_efaults, 1);
		return VCPU_CONTINUE;
	} else if (vm->nr_vfio_devs) {
		why = have_gpa ? ", not in an assigned device's BAR" :
			", not attributable to an assigned device";
	}
	platform_describe_assigned(vm);
	if (have_gpa)
		return vcpu_fatal(vcpu, "KVM_RUN: Bad address (EFAULT), KVM_EXIT_MEMORY_FAULT gpa=0x%llx size=0x%llx flags=0x%llx%s%s",
				  mf->gpa, mf->size, mf->flags,
				  (mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE) ?
				  " (private)" : "", why);
	return vcpu_fatal(vcpu, "KVM_RUN: Bad address (EFAULT) with no memory-fault information (exit reason %u, %s): the kernel did not report the faulting gpa%s",
			  vcpu->run->exit_reason,
			  kvm_exit_reason_name(vcpu->run->exit_reason), why);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	enum vcpu_next next = VCPU_CONTINUE;
	int ret = seccomp_confine(vcpu->vm->cfg->seccomp, SECCOMP_ROLE_VCPU);

	if (ret) {
		log_error("vCPU %u: seccomp: %s (--seccomp off runs without)",
			  vcpu->index, strerror(-ret));
		vm_request_stop(vcpu->vm, EXIT_HOST_ERROR);
		return NULL;
	}
	if (vcpu->vm->cfg->debug_forbidden == FORBIDDEN_IN_VCPU && vcpu->index == 0)
		seccomp_make_forbidden_call();
	while (next == VCPU_CONTINUE && !vm_stopping(vcpu->vm)) {
		if (atomic_load(&vcpu->vm->pause.active)) {
			vcpu_pause_park(&vcpu->vm->pause);
			if (vm_stopping(vcpu->vm))
				break;
		}
		platform_map_bars(vcpu->vm, vcpu);
		if (atomic_exchange(&vcpu->dump_requested, false)) {
			vcpu_dump_state(vcpu);
			/* Back to normal entries, unless a stop came meanwhile. */
			__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			if (vm_stopping(vcpu->vm))
				break;
		}
		vcpu->zaps_seen = atomic_load(&vcpu->vm->bar_zaps);
		/* KVM leaves exit_reason alone when KVM_RUN fails without
		 * filling it: a bare EFAULT after a recovered memory-fault
		 * exit must not read as another one with a stale gpa. */
		vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
		if (ioctl(vcpu->fd, KVM_RUN, 0) == 0) {
			vcpu->fault_retries = 0;
			next = dispatch_exit(vcpu);
		} else if (errno == EINTR || errno == EAGAIN) {
			/* A kick. Whoever kicked set first what the loop acts
			 * on (a stop, a pause, a dump); unless it is a stop,
			 * the kick is spent and the next entry is a real one. */
			if (!vm_stopping(vcpu->vm))
				__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			next = VCPU_CONTINUE;	/* the loop condition decides */
		} else if (errno == EFAULT) {
			next = handle_efault(vcpu);
		} else {
			next = vcpu_fatal(vcpu, "KVM_RUN: %s (exit reason %u, %s)",
					  strerror(errno), vcpu->run->exit_reason,
					  kvm_exit_reason_name(vcpu->run->exit_reason));
		}
	}
	vcpu_pause_gone(&vcpu->vm->pause);
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	vcpu->thread_started = !ret;
	return -ret;
}

void vcpu_kick(struct vcpu *vcpu)
{
	/* Set first: a thread about to enter KVM_RUN then returns at once
	 * (KVM_CAP_IMMEDIATE_EXIT), so the signal cannot be missed. */
	__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->thread_started)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

void vcpu_request_dump(struct vcpu *vcpu)
{
	atomic_store(&vcpu->dump_requested, true);
	vcpu_kick(vcpu);
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->thread_started)
		pthread_join(vcpu->thread, NULL);
	vcpu->thread_started = false;
}
