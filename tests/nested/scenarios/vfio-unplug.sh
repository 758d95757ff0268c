# The host takes an assigned device away mid-run: edu is removed through
# sysfs while the bar-race stub uses it. vfio-pci signals its request
# interrupt and waits until the device is released; ursa must stop the VM
# with status 1 and one line saying why, so that the remove completes
# (rather than hanging the host). After a rescan the device is back on
# vfio-pci and the next ursa drives it (the edu stub, status 0).
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}
timeit -k 60 "$URSA" run --stub bar-race --cpus 2 --vfio "$bdf" \
	--append "cycles=100000000" >/tmp/unplug.out 2>/tmp/unplug.err &
for _ in $(seq 50); do
	grep -q 'bar-race: edu at' /tmp/unplug.out && break
	sleep 0.2
done
grep -q 'bar-race: edu at' /tmp/unplug.out || fail "the bar-race stub did not start: $(cat /tmp/unplug.out /tmp/unplug.err)"
echo 1 >"/sys/bus/pci/devices/$bdf/remove" &
remover=$!
wait %1
cat /tmp/unplug.out /tmp/unplug.err
status=$(tail -n 1 /tmp/unplug.out | sed 's/.* //')
[ "$status" = 1 ] || { dmesg | tail -n 15; fail "ursa exited with status $status, expected 1"; }
[ "$(wc -l </tmp/unplug.err)" = 1 ] || fail "stderr is not one line"
grep -q "^ursa: --vfio $bdf: the host wants the device back" /tmp/unplug.err ||
	fail "no unplug message"
for _ in $(seq 50); do
	kill -0 $remover 2>/dev/null || break
	sleep 0.2
done
kill -0 $remover 2>/dev/null && fail "the host's remove still waits after ursa ended"
[ -e "/sys/bus/pci/devices/$bdf" ] && fail "$bdf is still there after the remove"

echo 1 >/sys/bus/pci/rescan
for _ in $(seq 50); do
	[ -e "/sys/bus/pci/devices/$bdf/driver" ] && break
	sleep 0.2
done
out=$(timeit -k 60 "$URSA" run --stub edu --cpus 2 --vfio "$bdf" 2>&1)
echo "$out"
echo "$out" | tail -n 1 | grep -q ' 0$' || fail "the edu stub after the rescan did not end with status 0"
echo "$out" | grep -q '^edu: ok' || fail "no 'edu: ok' after the rescan"
echo "NESTED-RESULT: PASS"
