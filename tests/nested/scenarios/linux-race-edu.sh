# needs: linux-guest
# needs: qemu-backports
# needs: qemu
# The seed's reproducer (_linux-race.sh) on QEMU's edu (32-bit BAR 0): the
# hammer reads the ID register (offset 0, 0x010000ed) and writes the
# liveness register (offset 4).
RACE_ID=1234:11e8
RACE_OFFSET=0
RACE_WRITE=${race_write-4} # race_write= (empty) on the command line: read only
. /scenarios/_linux-race.sh
# shellcheck disable=SC2046 # race_rows is a comma-separated list of rows
race_rows $(echo "${race_rows:-safe,qemu,qemu-dies,qemu-vmm}" | tr , ' ')
