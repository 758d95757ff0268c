# Harness self-test: always fails. Its meson test passes only if run-nested
# reports the guest's failure (run-nested --expect fail).
echo "NESTED-RESULT: FAIL deliberate"
