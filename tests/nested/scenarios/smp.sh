# ursa boots its "smp" stub guest on 2 vCPUs. The stub exits through ursa's
# debug-exit port with the number of CPUs that came up (2), and ursa's exit
# status is then (2 << 1) | 1 = 5.
EXPECT_STATUS=5
# One string per line; each must occur in ursa's output (case-insensitive).
EXPECT_OUTPUT='cpu 0
cpu 1'

out=$("$URSA" run --stub smp --cpus 2 2>&1)
status=$?
echo "$out"
missing=$(echo "$EXPECT_OUTPUT" | while read -r s; do
	echo "$out" | grep -qiF "$s" || printf "'%s' " "$s"
done)
if [ "$status" != "$EXPECT_STATUS" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $EXPECT_STATUS"
elif [ -n "$missing" ]; then
	echo "NESTED-RESULT: FAIL ursa's output lacks $missing"
else
	echo "NESTED-RESULT: PASS"
fi
