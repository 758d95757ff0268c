# Harness self-test: never finishes. Its meson test passes only if run-nested
# kills QEMU at its --timeout and reports TIMEOUT (run-nested --expect timeout).
echo "selftest-hang: sleeping forever"
while :; do
	sleep 3600
done
