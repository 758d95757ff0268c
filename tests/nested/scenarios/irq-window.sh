# needs: qemu-backports
# ursa's irq-window stub on 2 vCPUs (guest/stubs/irq-window.c), strict: an
# interrupt left pending across exits while IF is 0 must be taken once,
# never with IF 0 and never inside STI's shadow, nor may the other vCPU's
# IPIs arrive with IF 0. This puts the nested CPU's emulated SVM on trial
# (the interrupt window and shadow KVM relies on; tests/nested/README.md,
# "A Linux guest that stops inside its own boot"). On QEMU 10; Debian's
# 7.2 takes about one in a thousand inside the shadow.
# shellcheck shell=dash
out=$(timeit -k 120 "$URSA" run --stub irq-window --cpus 2 --append rounds=5000 2>&1)
status=${out##* }
echo "$out"
if echo "$out" | grep -q '^irq-window: PASS'; then
	echo "NESTED-RESULT: PASS"
else
	echo "NESTED-RESULT: FAIL $(echo "$out" | grep '^irq-window:' | tail -n 1) (ursa: $status)"
fi
