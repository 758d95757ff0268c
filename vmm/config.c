// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/blk.h"
#include "guest/stub_abi.h"
#include "vmm/config.h"
#include "vmm/layout.h"
#include "vmm/log.h"
#include "vfio/bind.h"
#include "vmm/stubs.h"

const char config_run_usage[] =
	"usage: ursa run --kernel BZIMAGE [--initrd FILE] [options]\n"
	"       ursa run --stub NAME|FILE [options]\n"
	"\n"
	"  --kernel BZIMAGE     a Linux kernel (x86 boot protocol 2.12 or later)\n"
	"  --initrd FILE        its initial ramdisk\n"
	"  --stub NAME|FILE     a built-in guest stub ('ursa stubs') or a stub image\n"
	"  --memory SIZE        guest RAM, with K/M/G/T suffix (default 256M, minimum 8M)\n"
	"  --cpus N             number of vCPUs (default 1)\n"
	"  --console stdio|none|FILE\n"
	"                       where the serial console goes (default stdio; stdio\n"
	"                       also feeds the terminal's input to the guest)\n"
	"  --append STRING      the kernel command line, or key=value pairs for a stub\n"
	"  --disk PATH[,readonly][,direct]\n"
	"                       a virtio-blk disk backed by a file or block device\n"
	"                       (repeatable, up to 8; direct: O_DIRECT)\n"
	"  --vfio BDF[,slot=N][,bar-order=safe|qemu]\n"
	"                       pass the host PCI device BDF (bound to vfio-pci) through,\n"
	"                       in guest PCI slot N (default: 16 and up; repeatable, up to 8);\n"
	"                       bar-order=qemu forwards a memory-decode-off write before\n"
	"                       unmapping the BARs, as QEMU does (to reproduce the crash)\n"
	"  --no-fault-recovery  a KVM_RUN EFAULT on an assigned BAR ends the VM\n"
	"  --stats              print the BAR state machine's counters at exit\n"
	"  --seccomp on|log|off confine each vCPU thread and the event loop to the\n"
	"                       system calls their role makes (default on: any other\n"
	"                       call stops ursa, status 8; log: the kernel logs it)\n"
	"  --phys-bits N        guest physical address width, CPUID 0x80000008\n"
	"                       (default: what the host's KVM supports)\n"
	"  --nested             let the guest be a hypervisor: CPUID shows it SVM (AMD) or\n"
	"                       VMX (Intel) where the host's KVM allows nested guests\n"
	"                       (kvm_amd or kvm_intel nested=1); hidden otherwise\n"
	"  --debug-memfault-slot\n"
	"                       add a memslot at 0xd0000000 whose host memory is\n"
	"                       inaccessible, for testing KVM's memory-fault exits\n"
	"  --debug-forbidden-syscall vcpu|loop\n"
	"                       make one system call (socket) that role never makes,\n"
	"                       once confined, for testing --seccomp\n"
	"  --help               this text\n";

enum run_option {
	OPT_STUB, OPT_KERNEL, OPT_INITRD, OPT_DISK, OPT_MEMORY, OPT_CPUS, OPT_CONSOLE, OPT_APPEND, OPT_PHYS_BITS,
	OPT_VFIO, OPT_NO_FAULT_RECOVERY, OPT_STATS, OPT_DEBUG_MEMFAULT_SLOT, OPT_HELP,
	OPT_SECCOMP, OPT_DEBUG_FORBIDDEN, OPT_NESTED,
};

static const struct option_def run_options[] = {
	{ "stub", OPT_STUB, true },
	{ "kernel", OPT_KERNEL, true },
	{ "initrd", OPT_INITRD, true },
	{ "disk", OPT_DISK, true },
	{ "memory", OPT_MEMORY, true },
	{ "cpus", OPT_CPUS, true },
	{ "console", OPT_CONSOLE, true },
	{ "append", OPT_APPEND, true },
	{ "phys-bits", OPT_PHYS_BITS, true },
	{ "nested", OPT_NESTED, false },
	{ "vfio", OPT_VFIO, true },
	{ "no-fault-recovery", OPT_NO_FAULT_RECOVERY, false },
	{ "stats", OPT_STATS, false },
	{ "debug-memfault-slot", OPT_DEBUG_MEMFAULT_SLOT, false },
	{ "seccomp", OPT_SECCOMP, true },
	{ "debug-forbidden-syscall", OPT_DEBUG_FORBIDDEN, true },
	{ "help", OPT_HELP, false },
};

int next_option(int argc, char *const argv[], int *i,
		const struct option_def *defs, size_t ndefs,
		const char **value, char *err, size_t errlen)
{
	const char *arg = argv[*i];
	const char *eq;
	size_t len;

	if (strncmp(arg, "--", 2) || !arg[2]) {
		set_error(err, errlen, "unexpected argument '%s'", arg);
		return -1;
	}
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	for (size_t d = 0; d < ndefs; d++) {
		if (strlen(defs[d].name) != len || strncmp(arg + 2, defs[d].name, len))
			continue;
		(*i)++;
		*value = NULL;
		if (!defs[d].has_value) {
			if (eq) {
				set_error(err, errlen, "option '--%s' takes no value",
					  defs[d].name);
				return -1;
			}
			return defs[d].id;
		}
		if (eq) {
			*value = eq + 1;
		} else if (*i < argc) {
			*value = argv[(*i)++];
		} else {
			set_error(err, errlen, "option '--%s' needs a value",
				  defs[d].name);
			return -1;
		}
		return defs[d].id;
	}
	set_error(err, errlen, "unknown option '%.*s'", (int)(len + 2), arg);
	return -1;
}

int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (shift && p[1])
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

/* What set_option() returns when a named file cannot be used: a host
 * problem (status 1), not a malformed command line. */
#define FILE_PROBLEM	(-2)

static int check_readable(const char *option, const char *path, char *err,
			  size_t errlen)
{
	if (!access(path, R_OK))
		return 0;
	set_error(err, errlen, "--%s '%s': %s", option, path, strerror(errno));
	return FILE_PROBLEM;
}

static int set_stub(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	cfg->stub_name = v;
	cfg->builtin = builtin_stub_find(v);
	if (cfg->builtin)
		return 0;
	if (access(v, F_OK) && errno == ENOENT) {
		set_error(err, errlen,
			  "--stub '%s': no built-in stub of that name ('ursa stubs' lists them) and no such file",
			  v);
		return -1;
	}
	return check_readable("stub", v, err, errlen);
}

/* The next ",flag" of an option value: *rest points at a comma or the
 * end. false when there are no more. */
static bool next_flag(const char **rest, const char **flag, size_t *len)
{
	const char *comma;

	if (**rest != ',')
		return false;
	*flag = *rest + 1;
	comma = strchr(*flag, ',');
	*len = comma ? (size_t)(comma - *flag) : strlen(*flag);
	*rest = *flag + *len;
	return true;
}

static bool flag_is(const char *flag, size_t len, const char *name)
{
	return len == strlen(name) && !strncmp(flag, name, len);
}

/* The number after NAME= in flag (len bytes, skip of them the name's),
 * min..max. */
static int disk_number(const char *v, const char *flag, size_t len, size_t skip,
		       unsigned int min, unsigned int max, unsigned int *out,
		       char *err, size_t errlen)
{
	char digits[16];

	snprintf(digits, sizeof(digits), "%.*s", (int)(len - skip), flag + skip);
	if (len - skip >= sizeof(digits) || parse_uint(digits, max, out) || *out < min) {
		set_error(err, errlen, "--disk '%s': '%.*s' wants a number %u..%u", v,
			  (int)len, flag, min, max);
		return -1;
	}
	return 0;
}

static int add_disk(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	size_t len = strcspn(v, ",");
	const char *rest = v + len, *flag;
	struct disk_config *d;

	if (cfg->nr_disks == URSA_MAX_DISKS) {
		set_error(err, errlen, "--disk: at most %u disks", URSA_MAX_DISKS);
		return -1;
	}
	d = &cfg->disks[cfg->nr_disks];
	*d = (struct disk_config){ .queues = 1, .poll_us = VIRTIO_BLK_DEFAULT_POLL_US };
	if (!len || len >= sizeof(d->path)) {
		set_error(err, errlen,
			  "--disk '%s': expected PATH[,readonly][,direct][,queues=N][,poll=US]", v);
		return -1;
	}
	memcpy(d->path, v, len);
	while (next_flag(&rest, &flag, &len)) {
		if (flag_is(flag, len, "readonly")) {
			d->read_only = true;
		} else if (flag_is(flag, len, "direct")) {
			d->direct = true;
		} else if (len > 7 && !strncmp(flag, "queues=", 7)) {
			if (disk_number(v, flag, len, 7, 1, VIRTIO_BLK_MAX_QUEUES, &d->queues,
					err, errlen))
				return -1;
		} else if (len > 5 && !strncmp(flag, "poll=", 5)) {
			if (disk_number(v, flag, len, 5, 0, VIRTIO_BLK_MAX_POLL_US, &d->poll_us,
					err, errlen))
				return -1;
		} else {
			set_error(err, errlen,
				  "--disk '%s': unknown flag '%.*s' (readonly, direct, queues=N, poll=US)",
				  v, (int)len, flag);
			return -1;
		}
	}
	if (access(d->path, d->read_only ? R_OK : R_OK | W_OK)) {
		set_error(err, errlen, "--disk '%s': %s", d->path, strerror(errno));
		return FILE_PROBLEM;
	}
	cfg->nr_disks++;
	return 0;
}

/* The --vfio entry holding slot, or NULL. */
static const struct vfio_dev_config *slot_user(const struct vm_config *cfg,
					       unsigned int slot)
{
	for (unsigned int i = 0; i < cfg->nr_vfio; i++)
		if (cfg->vfio[i].slot == slot)
			return &cfg->vfio[i];
	return NULL;
}

static int add_vfio(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	size_t len = strcspn(v, ",");
	const char *rest = v + len, *flag;
	struct vfio_dev_config *d;
	char bdf[32];

	if (cfg->nr_vfio == URSA_MAX_VFIO) {
		set_error(err, errlen, "--vfio: at most %u devices", URSA_MAX_VFIO);
		return -1;
	}
	d = &cfg->vfio[cfg->nr_vfio];
	*d = (struct vfio_dev_config){ 0 };
	snprintf(bdf, sizeof(bdf), "%.*s", (int)len, v);
	if (len >= sizeof(bdf) || pci_bdf_parse(bdf, d->bdf)) {
		set_error(err, errlen, "--vfio '%s': expected a PCI address such as 0000:00:03.0", v);
		return -1;
	}
	while (next_flag(&rest, &flag, &len)) {
		char n[8];

		if (flag_is(flag, len, "bar-order=safe") || flag_is(flag, len, "bar-order=qemu")) {
			d->bar_order_qemu = flag_is(flag, len, "bar-order=qemu");
			continue;
		}
		snprintf(n, sizeof(n), "%.*s", (int)(len > 5 ? len - 5 : 0), flag + 5);
		if (len < 5 || strncmp(flag, "slot=", 5) || parse_uint(n, 31, &d->slot) ||
		    !d->slot) {
			set_error(err, errlen, "--vfio '%s': unknown flag '%.*s' (slot=1..31, bar-order=safe|qemu)",
				  v, (int)len, flag);
			return -1;
		}
		if (slot_user(cfg, d->slot)) {
			set_error(err, errlen, "--vfio '%s': slot %u is taken by --vfio %s",
				  v, d->slot, slot_user(cfg, d->slot)->bdf);
			return -1;
		}
	}
	for (unsigned int i = 0; i < cfg->nr_vfio; i++) {
		if (!strcmp(cfg->vfio[i].bdf, d->bdf)) {
			set_error(err, errlen, "--vfio %s: given twice", d->bdf);
			return -1;
		}
	}
	if (!d->slot)
		for (d->slot = URSA_VFIO_FIRST_SLOT; slot_user(cfg, d->slot); d->slot++)
			;
	cfg->nr_vfio++;
	return 0;
}

static int set_memory(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (parse_size(v, &cfg->memory)) {
		set_error(err, errlen,
			  "--memory '%s': expected a size such as 256M or 2G", v);
		return -1;
	}
	if (cfg->memory < URSA_MIN_MEMORY) {
		set_error(err, errlen, "--memory %s is below the minimum of %lluM",
			  v, URSA_MIN_MEMORY >> 20);
		return -1;
	}
	if (cfg->memory & 0xfff) {
		set_error(err, errlen, "--memory %s is not a multiple of 4K", v);
		return -1;
	}
	return 0;
}

static int set_option(struct vm_config *cfg, int id, const char *v,
		      const struct host_limits *limits, char *err, size_t errlen)
{
	switch (id) {
	case OPT_STUB:
		return set_stub(cfg, v, err, errlen);
	case OPT_KERNEL:
		cfg->kernel = v;
		return check_readable("kernel", v, err, errlen);
	case OPT_INITRD:
		cfg->initrd = v;
		return check_readable("initrd", v, err, errlen);
	case OPT_DISK:
		return add_disk(cfg, v, err, errlen);
	case OPT_VFIO:
		return add_vfio(cfg, v, err, errlen);
	case OPT_MEMORY:
		return set_memory(cfg, v, err, errlen);
	case OPT_CPUS:
		if (parse_uint(v, limits->max_vcpus, &cfg->cpus) || cfg->cpus == 0) {
			set_error(err, errlen,
				  "--cpus '%s': expected a number from 1 to %u (this host's limit)",
				  v, limits->max_vcpus);
			return -1;
		}
		return 0;
	case OPT_CONSOLE:
		cfg->console_path = NULL;
		if (!strcmp(v, "stdio")) {
			cfg->console = CONSOLE_STDIO;
		} else if (!strcmp(v, "none")) {
			cfg->console = CONSOLE_NONE;
		} else if (*v) {
			cfg->console = CONSOLE_FILE;
			cfg->console_path = v;
		} else {
			set_error(err, errlen, "--console: expected stdio, none or a file name");
			return -1;
		}
		return 0;
	case OPT_APPEND:
		cfg->append = v;
		return 0;
	case OPT_DEBUG_MEMFAULT_SLOT:
		cfg->debug_memfault_slot = true;
		return 0;
	case OPT_NO_FAULT_RECOVERY:
		cfg->fault_recovery = false;
		return 0;
	case OPT_STATS:
		cfg->stats = true;
		return 0;
	case OPT_SECCOMP:
		if (!strcmp(v, "on")) {
			cfg->seccomp = SECCOMP_ON;
		} else if (!strcmp(v, "log")) {
			cfg->seccomp = SECCOMP_LOG;
		} else if (!strcmp(v, "off")) {
			cfg->seccomp = SECCOMP_OFF;
		} else {
			set_error(err, errlen, "--seccomp '%s': expected on, log or off", v);
			return -1;
		}
		return 0;
	case OPT_DEBUG_FORBIDDEN:
		if (!strcmp(v, "vcpu")) {
			cfg->debug_forbidden = FORBIDDEN_IN_VCPU;
		} else if (!strcmp(v, "loop")) {
			cfg->debug_forbidden = FORBIDDEN_IN_LOOP;
		} else {
			set_error(err, errlen, "--debug-forbidden-syscall '%s': expected vcpu or loop", v);
			return -1;
		}
		return 0;
	case OPT_NESTED:
		if (!limits->nested) {
			set_error(err, errlen,
				  "--nested: this host's KVM does not offer nested virtualization (kvm_amd or kvm_intel nested=1)");
			return FILE_PROBLEM;	/* the host's, status 1 */
		}
		cfg->nested = true;
		return 0;
	case OPT_PHYS_BITS:
		if (parse_uint(v, 64, &cfg->phys_bits) || cfg->phys_bits < 32 ||
		    cfg->phys_bits > limits->phys_bits) {
			set_error(err, errlen,
				  "--phys-bits '%s': expected 32 to %u (this host's limit)",
				  v, limits->phys_bits);
			return -1;
		}
		return 0;
	}
	return -1;
}

enum config_result config_parse_run(int argc, char *const argv[],
				    const struct host_limits *limits,
				    struct vm_config *cfg,
				    char *err, size_t errlen)
{
	struct layout layout;
	char why[256];
	int i = 0;

	*cfg = (struct vm_config){
		.memory = URSA_DEFAULT_MEMORY,
		.cpus = 1,
		.phys_bits = limits->phys_bits,
		.console = CONSOLE_STDIO,
		.append = "",
		.fault_recovery = true,
	};
	while (i < argc) {
		const char *value;
		int id = next_option(argc, argv, &i, run_options,
				     sizeof(run_options) / sizeof(run_options[0]),
				     &value, err, errlen);

		if (id < 0)
			return CONFIG_ERROR;
		if (id == OPT_HELP)
			return CONFIG_HELP;
		switch (set_option(cfg, id, value, limits, err, errlen)) {
		case 0:
			break;
		case FILE_PROBLEM:
			return CONFIG_FILE_ERROR;
		default:
			return CONFIG_ERROR;
		}
	}
	if (!cfg->stub_name == !cfg->kernel) {
		set_error(err, errlen, cfg->kernel ?
			  "--kernel and --stub exclude each other" :
			  "missing --kernel BZIMAGE or --stub NAME|FILE ('ursa stubs' lists the stubs)");
		return CONFIG_ERROR;
	}
	if (cfg->initrd && !cfg->kernel) {
		set_error(err, errlen, "--initrd needs --kernel");
		return CONFIG_ERROR;
	}
	/* A kernel states its own limit, checked when it is loaded. */
	if (cfg->stub_name && strlen(cfg->append) >= STUB_CMDLINE_MAX) {
		set_error(err, errlen, "--append: longer than the %u characters a stub takes",
			  STUB_CMDLINE_MAX - 1);
		return CONFIG_ERROR;
	}
	if (layout_compute(cfg->memory, cfg->phys_bits, &layout, why, sizeof(why))) {
		set_error(err, errlen, "--memory: %s", why);
		return CONFIG_ERROR;
	}
	/*
	 * A guest told a MAXPHYADDR below the host's must see the bits above
	 * it as reserved; where KVM cannot make it so (with NPT or EPT the
	 * CPU checks the host's), the guest sees a machine that does not
	 * exist, e.g. page-table entries above its MAXPHYADDR that map
	 * instead of raising #PF (seed 000: a VMM must not ignore
	 * allow_smaller_maxphyaddr).
	 */
	if (cfg->phys_bits < limits->phys_bits && !limits->smaller_maxphyaddr) {
		set_error(err, errlen,
			  "--phys-bits %u: below this host's %u, and this KVM cannot give a guest a smaller MAXPHYADDR (no KVM_CAP_SMALLER_MAXPHYADDR: needs kvm_amd npt=0 or kvm_intel allow_smaller_maxphyaddr=1)",
			  cfg->phys_bits, limits->phys_bits);
		return CONFIG_FILE_ERROR;	/* the host's, status 1 */
	}
	return CONFIG_OK;
}
