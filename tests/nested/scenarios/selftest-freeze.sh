# Harness self-test: stops every process of the machine (freeze: one
# SCHED_FIFO busy loop per CPU, RT throttling off, and 6.12's fair server,
# which would still give ordinary tasks 50 ms a second, given no time). Its meson test passes
# only if run-nested sees the heartbeat stop and reports HANG with
# hang-report's view of the CPUs (run-nested --expect hang), long before
# its --timeout.
echo "selftest-freeze: freezing every CPU"
echo -1 >/proc/sys/kernel/sched_rt_runtime_us
mount -t debugfs debugfs /sys/kernel/debug
for f in /sys/kernel/debug/sched/fair_server/cpu*/runtime; do
	echo 0 >"$f"
done
freeze
echo "NESTED-RESULT: FAIL freeze returned"
