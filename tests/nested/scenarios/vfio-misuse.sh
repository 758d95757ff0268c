# ursa run --vfio when the device cannot be had: absent, bound to no
# driver, or held by another ursa. Each is one line on stderr and status 1.
# Then the release: once the holder ends, the next ursa gets the device at
# once.
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
# expect_refusal MESSAGE URSA-ARGS...: status 1 and exactly MESSAGE.
expect_refusal() {
	want=$1
	shift
	err=$("$URSA" "$@" 2>&1 >/dev/null)
	st=$?
	echo "ursa $*: status $st: $err"
	[ "$st" = 1 ] || fail "ursa $* exited with $st, expected 1"
	[ "$err" = "$want" ] || fail "ursa $* said '$err', expected '$want'"
}
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}

expect_refusal "ursa: --vfio 0000:00:1f.7: no PCI device 0000:00:1f.7 on this host" \
	run --stub hello --vfio 0000:00:1f.7

# Bound to no driver: take the ID away from vfio-pci first so that it does
# not claim the device straight back.
echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/remove_id || fail "remove_id"
"$URSA" vfio-unbind "$bdf" >/dev/null || fail "vfio-unbind"
expect_refusal "ursa: --vfio $bdf: bound to no driver, not vfio-pci (ursa vfio-bind $bdf)" \
	run --stub hello --vfio "$bdf"
"$URSA" vfio-bind "$bdf" >/dev/null || fail "vfio-bind"

# Held by another ursa: the echo stub waits for a line of input.
rm -f /tmp/hold.in
mkfifo /tmp/hold.in
"$URSA" run --stub echo --vfio "$bdf" </tmp/hold.in >/tmp/hold.out 2>&1 &
holder=$!
exec 8>/tmp/hold.in
waited=0
until grep -q 'echo: ready' /tmp/hold.out; do
	kill -0 "$holder" 2>/dev/null || fail "the holding ursa ended: $(cat /tmp/hold.out)"
	[ "$waited" -lt 60 ] || fail "the holding ursa never got ready"
	sleep 1
	waited=$((waited + 1))
done
group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
expect_refusal "ursa: --vfio $bdf: /dev/vfio/$group: in use by another process (another ursa?)" \
	run --stub hello --vfio "$bdf"
echo "bye" >&8
exec 8>&-
wait "$holder"
st=$?
[ "$st" = 0 ] || fail "the holding ursa exited with $st: $(cat /tmp/hold.out)"

out=$("$URSA" run --stub hello --vfio "$bdf" 2>&1)
st=$?
[ "$st" = 0 ] || fail "after the holder ended, ursa exited with $st: $out"
echo "$out" | grep -q 'Hello from ursa' || fail "no greeting after the holder ended: $out"
echo "NESTED-RESULT: PASS"
