/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The command line of 'ursa run', parsed into struct vm_config. Parsing is
 * pure apart from checking that a named file is readable: it prints
 * nothing and reports the first problem as one line in err.
 */
#ifndef URSA_VMM_CONFIG_H
#define URSA_VMM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/seccomp.h"

struct builtin_stub;

/* xAPIC IDs are 8 bits and 0xff is the broadcast ID. */
#define URSA_MAX_VCPUS		255
#define URSA_MIN_MEMORY		(8ull << 20)
#define URSA_DEFAULT_MEMORY	(256ull << 20)

#define URSA_MAX_DISKS		8
#define URSA_DISK_PATH_MAX	4096

#define URSA_MAX_VFIO		8
/* Assigned devices go from this guest PCI slot up unless told otherwise,
 * clear of the disks (which take the first free slots from 1). */
#define URSA_VFIO_FIRST_SLOT	16

/* CONSOLE_FD is not on the command line: 'ursa repro' reads the guest's
 * output from a pipe it owns. */
enum console_kind { CONSOLE_STDIO, CONSOLE_NONE, CONSOLE_FILE, CONSOLE_FD };

/* --disk PATH[,readonly][,direct][,queues=N][,poll=US] */
struct disk_config {
	char path[URSA_DISK_PATH_MAX];
	bool read_only;
	bool direct;
	unsigned int queues;	/* virtqueues, 1..8 */
	unsigned int poll_us;	/* the I/O thread's idle polling budget */
};

/* --vfio BDF[,slot=N][,bar-order=safe|qemu] */
struct vfio_dev_config {
	char bdf[16];		/* "DDDD:BB:DD.F" */
	unsigned int slot;	/* the guest's PCI slot, 1..31 */
	bool bar_order_qemu;	/* forward MEM-off before unmapping (the crash) */
};

/* What this host's KVM allows; see kvm_host_limits(). */
struct host_limits {
	unsigned int max_vcpus;
	unsigned int phys_bits;
	bool nested;		/* KVM offers guests VMX or SVM */
	/* KVM_CAP_SMALLER_MAXPHYADDR: KVM makes a guest MAXPHYADDR below the
	 * host's architectural (reserved-bit #PFs for the bits above it),
	 * which it can only with shadow paging or by trapping #PF (kvm_amd
	 * npt=0, kvm_intel allow_smaller_maxphyaddr=1). */
	bool smaller_maxphyaddr;
};

/* A VM boots either a guest stub or a Linux kernel. */
struct vm_config {
	const char *stub_name;			/* as given on the command line */
	const struct builtin_stub *builtin;	/* NULL when stub_name is a file */
	const char *kernel;			/* a bzImage, instead of a stub */
	const char *initrd;			/* only with kernel; may be NULL */
	uint64_t memory;
	unsigned int cpus;
	unsigned int phys_bits;			/* the guest's MAXPHYADDR */
	bool nested;				/* --nested: VMX or SVM in CPUID */
	enum console_kind console;
	const char *console_path;		/* CONSOLE_FILE */
	int console_fd;				/* CONSOLE_FD, not closed */
	const char *append;			/* "" when absent */
	bool debug_memfault_slot;		/* see STUB_MEMFAULT_GPA */
	struct disk_config disks[URSA_MAX_DISKS];
	unsigned int nr_disks;
	struct vfio_dev_config vfio[URSA_MAX_VFIO];
	unsigned int nr_vfio;
	bool fault_recovery;			/* off: --no-fault-recovery */
	bool stats;				/* --stats */
	enum seccomp_mode seccomp;		/* --seccomp, default on */
	/* --debug-forbidden-syscall: which role makes one, for the tests */
	enum { FORBIDDEN_NONE, FORBIDDEN_IN_VCPU, FORBIDDEN_IN_LOOP } debug_forbidden;
};

/* CONFIG_FILE_ERROR: a file the command line names cannot be used (exit
 * status 1); CONFIG_ERROR: the command line is wrong (2). */
enum config_result { CONFIG_OK, CONFIG_HELP, CONFIG_ERROR, CONFIG_FILE_ERROR };

/* argv holds the arguments after "run". */
enum config_result config_parse_run(int argc, char *const argv[],
				    const struct host_limits *limits,
				    struct vm_config *cfg,
				    char *err, size_t errlen);

extern const char config_run_usage[];

/* "256M", "1G", "4096": a byte count with an optional binary K/M/G/T
 * suffix. Returns 0, or -1 when malformed or out of range. */
int parse_size(const char *s, uint64_t *out);

/* One long option of a subcommand: "--name value" or "--name=value". */
struct option_def {
	const char *name;
	int id;
	bool has_value;
};

/*
 * Take the option at argv[*i] and advance *i past it (and its value).
 * Returns the option's id, or -1 with err set (unknown option, missing
 * value, value given to a flag, or a non-option argument).
 */
int next_option(int argc, char *const argv[], int *i,
		const struct option_def *defs, size_t ndefs,
		const char **value, char *err, size_t errlen);

#endif
