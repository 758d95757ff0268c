# ursa's irq-window stub on 2 vCPUs (guest/stubs/irq-window.c): an
# interrupt left pending across exits while IF is 0 must be taken once and
# never with IF 0, nor may the other vCPU's IPIs. This puts the nested
# CPU's emulated SVM on trial (the interrupt window and shadow KVM relies
# on; tests/nested/README.md, "A Linux guest that stops inside its own
# boot"). Interrupts taken inside STI's shadow, which QEMU's TCG is known
# to deliver, are counted (allow_shadow=1) rather than failed.
# shellcheck shell=dash
out=$(timeit -k 120 "$URSA" run --stub irq-window --cpus 2 --append "rounds=5000 allow_shadow=1" 2>&1)
status=${out##* }
echo "$out"
if echo "$out" | grep -q '^irq-window: PASS'; then
	echo "NESTED-RESULT: PASS"
else
	echo "NESTED-RESULT: FAIL $(echo "$out" | grep '^irq-window:' | tail -n 1) (ursa: $status)"
fi
