# needs: linux-guest
# needs: qemu-backports
# needs: qemu
# The seed's reproducer (_linux-race.sh) on the NVMe controller: a 64-bit
# BAR 0 with the MSI-X table and PBA inside it (pages ursa traps), the
# guest's nvme driver unbound; the hammer only reads, the version register
# VS (offset 8; NVMe 1.4 3.1.2: 0x00010400 for QEMU's controller).
RACE_ID=1b36:0010
RACE_OFFSET=8
RACE_WRITE=
. /scenarios/_linux-race.sh
# shellcheck disable=SC2046 # race_rows is a comma-separated list of rows
race_rows $(echo "${race_rows:-safe,qemu,qemu-dies,qemu-vmm}" | tr , ' ')
