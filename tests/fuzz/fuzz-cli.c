// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command line of 'ursa run' (vmm/config.c: options, sizes, numbers,
 * --disk and --vfio flags, and the checks across options).
 *
 * Input: one byte choosing the host's limits (vCPUs 1..255, MAXPHYADDR
 * 32..52), then the arguments, separated by NUL bytes. Named files are
 * only checked for access, so any path is harmless.
 *
 * Checked: the result is OK, HELP or ERROR; an ERROR comes with one line
 * of message (non-empty, no newline, within the buffer); and an OK
 * configuration is one ursa can run: exactly one of --kernel and --stub,
 * --initrd only with --kernel, memory a multiple of 4K of at least 8M,
 * vCPUs and MAXPHYADDR within the host's limits, at most 8 disks with
 * non-empty comma-free paths, at most 8 assigned devices with canonical
 * distinct addresses in distinct slots 1..31, a stub command line that
 * fits, and a guest-physical layout whose RAM adds up to the memory asked
 * for and lies below 2^MAXPHYADDR.
 */
#include "fuzz.h"
#include "guest/stub_abi.h"
#include "vmm/config.h"
#include "vmm/layout.h"

#define MAX_ARGS	32
#define ERR_LEN		256

static bool is_bdf(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char canon[16];
	int n = -1;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    n != 12)
		return false;
	snprintf(canon, sizeof(canon), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return !strcmp(canon, s) && dev <= 0x1f && fn <= 7;
}

static void check_layout(const struct vm_config *cfg)
{
	struct layout l;
	char err[ERR_LEN];
	uint64_t total = 0;

	FUZZ_CHECK(!layout_compute(cfg->memory, cfg->phys_bits, &l, err, sizeof(err)));
	FUZZ_CHECK(l.nr_ram >= 1 && l.nr_ram <= LAYOUT_MAX_RAM_RANGES);
	for (unsigned int i = 0; i < l.nr_ram; i++) {
		const struct ram_range *r = &l.ram[i];

		FUZZ_CHECK(r->size && r->gpa < l.gpa_limit &&
			   r->size <= l.gpa_limit - r->gpa);
		total += r->size;
	}
	FUZZ_CHECK(total == cfg->memory);
}

static void check_config(const struct vm_config *cfg,
			 const struct host_limits *limits)
{
	FUZZ_CHECK(!cfg->stub_name != !cfg->kernel);
	FUZZ_CHECK(!cfg->initrd || cfg->kernel);
	FUZZ_CHECK(cfg->memory >= URSA_MIN_MEMORY && !(cfg->memory & 0xfff));
	FUZZ_CHECK(cfg->cpus >= 1 && cfg->cpus <= limits->max_vcpus);
	FUZZ_CHECK(cfg->phys_bits >= 32 && cfg->phys_bits <= limits->phys_bits);
	FUZZ_CHECK(cfg->append);
	if (cfg->stub_name)
		FUZZ_CHECK(strlen(cfg->append) < STUB_CMDLINE_MAX);
	FUZZ_CHECK(cfg->console != CONSOLE_FILE ||
		   (cfg->console_path && *cfg->console_path));
	FUZZ_CHECK(cfg->nr_disks <= URSA_MAX_DISKS);
	for (unsigned int i = 0; i < cfg->nr_disks; i++) {
		const char *p = cfg->disks[i].path;

		FUZZ_CHECK(*p && strnlen(p, URSA_DISK_PATH_MAX) < URSA_DISK_PATH_MAX);
		FUZZ_CHECK(!strchr(p, ','));
	}
	FUZZ_CHECK(cfg->nr_vfio <= URSA_MAX_VFIO);
	for (unsigned int i = 0; i < cfg->nr_vfio; i++) {
		const struct vfio_dev_config *d = &cfg->vfio[i];

		FUZZ_CHECK(is_bdf(d->bdf));
		FUZZ_CHECK(d->slot >= 1 && d->slot <= 31);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(d->bdf, cfg->vfio[j].bdf) &&
				   d->slot != cfg->vfio[j].slot);
	}
	check_layout(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	static const unsigned int vcpus[] = { 1, 2, 4, 8, 64, 128, 254, 255 };
	uint8_t sel = fz_u8(&in);
	struct host_limits limits = {
		.max_vcpus = vcpus[sel & 7],
		.phys_bits = 32 + (sel >> 3) % 21,
	};
	char *argv[MAX_ARGS], *buf, *p, *end;
	char err[ERR_LEN + 16];
	struct vm_config cfg;
	enum config_result res;
	int argc = 0;

	/* The arguments, each NUL-terminated (the last one too). */
	buf = malloc(in.n + 1);
	FUZZ_CHECK(buf);
	memcpy(buf, in.p, in.n);
	buf[in.n] = 0;
	end = buf + in.n;
	for (p = buf; p < end && argc < MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;

	memset(err, 0x5a, sizeof(err));
	err[0] = 0;
	res = config_parse_run(argc, argv, &limits, &cfg, err, ERR_LEN);
	for (size_t i = ERR_LEN; i < sizeof(err); i++)
		FUZZ_CHECK(err[i] == 0x5a);
	switch (res) {
	case CONFIG_OK:
		check_config(&cfg, &limits);
		break;
	case CONFIG_HELP:
		break;
	case CONFIG_ERROR:
	case CONFIG_FILE_ERROR:
		FUZZ_CHECK(fz_one_line(err, ERR_LEN));
		break;
	default:
		FUZZ_CHECK(!"config_parse_run() result");
	}
	free(buf);
	return 0;
}
