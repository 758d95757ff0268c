// SPDX-License-Identifier: GPL-2.0-only
/* Whether a host device can be passed through, and the reason given. */
#include <errno.h>

#include "check.h"
#include "vfio/bind.h"
#include "vfio/host.h"

static bool judge(struct host_pci_facts *f, char *why)
{
	why[0] = 0;
	return host_pci_judge(f, why, 192);
}

int main(void)
{
	struct host_pci_facts f = { .driver = "vfio-pci", .iommu_group = 7 };
	char why[192];

	CHECK(judge(&f, why));

	f.iommu_group = -1;
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "no IOMMU group");
	f.iommu_group = 7;

	f.driver = "e1000e";
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "bound to e1000e");
	CHECK_CONTAINS(why, "ursa vfio-bind");
	f.driver = "";
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "bound to no driver");
	f.driver = "vfio-pci";

	/* Group peers: unbound or vfio-pci are fine, anything else is not. */
	f.nr_peers = 2;
	f.peer_bdf[0] = "0000:00:1f.0";
	f.peer_driver[0] = "";
	f.peer_bdf[1] = "0000:00:1f.3";
	f.peer_driver[1] = "vfio-pci";
	CHECK(judge(&f, why));
	f.peer_driver[1] = "snd_hda_intel";
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "IOMMU group 7 also holds 0000:00:1f.3, bound to snd_hda_intel");
	f.nr_peers = 0;

	f.group_open_errno = EBUSY;
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "in use: IOMMU group 7 is open in another process");
	f.group_open_errno = EACCES;
	CHECK(!judge(&f, why));
	CHECK_CONTAINS(why, "/dev/vfio/7: Permission denied");
	/* PCI addresses, with and without the domain. */
	{
		static const char *const bad[] = {
			"", "zz", "00:20.0", "00:1f.8", "0000:00:03", "00:03.0x",
			"00000:00:03.0", "-0:00:03.0", "0x0:00:03.0", " 00:03.0",
		};
		char bdf[16];

		CHECK(!pci_bdf_parse("0000:00:03.0", bdf) && !strcmp(bdf, "0000:00:03.0"));
		CHECK(!pci_bdf_parse("00:1f.7", bdf) && !strcmp(bdf, "0000:00:1f.7"));
		CHECK(!pci_bdf_parse("ABCD:EF:1F.3", bdf) && !strcmp(bdf, "abcd:ef:1f.3"));
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(pci_bdf_parse(bad[i], bdf));
		}
	}
	return check_report("vfio_host");
}
