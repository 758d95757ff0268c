# The race as a benchmark (bench/bar-race): 'ursa repro bar-race' with
# ursa's ordering ("safe") and QEMU's ("qemu", with fault recovery), in
# alternating rounds, each bar_race_cycles cycles (default 2000) for
# bar_race_rounds rounds (default 2). Per run it takes cycles per second
# and the stub's longest BAR read and COMMAND write, and prints
#   bar-race-bench: safe|qemu: ... (one line per run)
#   bar-race-bench: safe X cycles/s, qemu Y cycles/s, safe/qemu R;
#     longest BAR read safe A us, qemu B us; deaths D
# and, once a minute during a run, ursa's status line (cycles so far, rate).
# A death is a run that did not survive its cycles. The result is PASS when
# every run ran (deaths are reported, not judged: the soak's goal is 0).
# shellcheck shell=dash disable=SC2154 # bar_race_* come from the kernel
CYCLES=${bar_race_cycles:-2000}
ROUNDS=${bar_race_rounds:-2}
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
# The number after NAME in TEXT.
field() {
	echo "$2" | sed -n "s/.* $1 \([0-9]*\).*/\1/p" | head -n 1
}
case $CYCLES in '' | *[!0-9]* | 0) fail "bad bar_race_cycles '$CYCLES'" ;; esac
case $ROUNDS in '' | *[!0-9]* | 0) fail "bad bar_race_rounds '$ROUNDS'" ;; esac
edu=$("$URSA" devices | grep ' 1234:11e8 ') || fail "edu is not listed"
bdf=${edu%% *}
# About 6 ms a cycle here; a run that takes four times that has hung.
limit=$((60 + CYCLES * 24 / 1000))

deaths=0
for round in $(seq "$ROUNDS"); do
	for order in safe qemu; do
		# ursa's status lines come every 5 s; one a minute goes to the
		# console, so a long run shows whether it is slow or stopped.
		timeit -k $limit "$URSA" repro bar-race --vfio "$bdf" --cycles "$CYCLES" \
			--order $order 2>&1 | tee /tmp/bench.out |
			awk -v o=$order '/^repro: [0-9]+\/[0-9]+ cycles/ && ++n % 12 == 0 {
				print "bar-race-bench: " o ": " $0; fflush() }'
		out=$(cat /tmp/bench.out)
		status=$(echo "$out" | tail -n 1 | sed 's/.* //')
		rate=$(echo "$out" | sed -n 's/^repro: survived .* (\([0-9]*\)\/s).*/\1/p')
		read_us=$(field read "$(echo "$out" | grep '^bar-race: longest ')")
		write_us=$(field write "$(echo "$out" | grep '^bar-race: longest ')")
		host=$(echo "$out" | grep '^repro: host: ')
		if [ "$status" != 0 ] || [ -z "$rate" ]; then
			deaths=$((deaths + 1))
			echo "$out" | tail -n 20
			echo "bar-race-bench: $order: round $round died, status $status"
			continue
		fi
		echo "$rate" >>/tmp/rate.$order
		echo "$read_us" >>/tmp/read.$order
		echo "bar-race-bench: $order: round $round: $rate cycles/s, longest BAR read $read_us us, longest COMMAND write $write_us us, memory-fault exits $(field "memory-fault exits" "$host"), recovered EFAULTs $(field "recovered EFAULTs" "$host")"
	done
done
# mean FILE: the mean of the numbers in FILE; max FILE: their maximum.
mean() {
	awk '{ s += $1 } END { printf "%.0f\n", NR ? s / NR : 0 }' "$1" 2>/dev/null || echo 0
}
max() {
	sort -n "$1" 2>/dev/null | tail -n 1
}
safe=$(mean /tmp/rate.safe)
qemu=$(mean /tmp/rate.qemu)
ratio=$(awk -v s="$safe" -v q="$qemu" 'BEGIN { printf "%.2f\n", q ? s / q : 0 }')
echo "bar-race-bench: safe $safe cycles/s, qemu $qemu cycles/s, safe/qemu $ratio; longest BAR read safe $(max /tmp/read.safe) us, qemu $(max /tmp/read.qemu) us; deaths $deaths"
echo "NESTED-RESULT: PASS"
