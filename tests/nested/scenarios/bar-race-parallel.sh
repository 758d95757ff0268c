# needs: qemu-backports
# needs: parallel-cpus
# bar-race's matrix on a nested machine whose two CPUs run at the same
# time (multi-threaded TCG, one host thread each): the toggling vCPU and
# the hammering vCPU of the stub really run concurrently, as on the SMP
# host of the seed, instead of taking turns on one CPU. The proof that
# they did: ursa kept more than one CPU busy (CPU time per wall-clock
# time, MIN_BUSY) in each surviving row. One CPU gives at most 100%; the
# qemu order with recovery measured 147-153% on two (2026-12-04), and
# 125% leaves room below that while still proving that they overlapped.
. /scenarios/_bar-race.sh
MIN_BUSY=125

cpus=$(grep -c ^processor /proc/cpuinfo)
[ "$cpus" -ge 2 ] || fail "$cpus CPU(s), expected 2"
edu_matrix
echo "NESTED-RESULT: PASS"
