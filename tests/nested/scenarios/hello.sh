# ursa boots its "hello" stub guest, which prints a greeting on the console.
EXPECT_STATUS=0
# A line of ursa's stdout must contain this.
EXPECT_LINE='Hello from ursa'

out=$("$URSA" run --stub hello --console stdio)
status=$?
echo "$out"
if [ "$status" != "$EXPECT_STATUS" ]; then
	echo "NESTED-RESULT: FAIL ursa exited with status $status, expected $EXPECT_STATUS"
elif ! echo "$out" | grep -qF "$EXPECT_LINE"; then
	echo "NESTED-RESULT: FAIL '$EXPECT_LINE' not on ursa's stdout"
else
	echo "NESTED-RESULT: PASS"
fi
