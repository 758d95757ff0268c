# Sourced by the linux-* scenarios (not a scenario itself).

# guest_hang_report PID: what ursa's threads and KVM are doing, for a guest
# that stopped making progress: each thread's state and kernel stack, then
# two seconds of kvm tracepoints (how many of each event, the last ones).
guest_hang_report() {
	for task in /proc/"$1"/task/*; do
		echo "scenario: thread $(cat "$task/comm") state $(cut -d' ' -f3 "$task/stat"):" \
			"$(awk '{printf "%s ", $2}' "$task/stack" 2>/dev/null)"
	done
	tracing=/sys/kernel/tracing
	[ -d $tracing/events/kvm ] || mount -t tracefs tracefs $tracing 2>/dev/null
	[ -d $tracing/events/kvm ] || return
	: >$tracing/trace
	echo 1 >$tracing/events/kvm/enable
	sleep 2
	echo 0 >$tracing/events/kvm/enable
	echo "scenario: kvm events in 2 s:" \
		"$(grep -o ' kvm_[a-z_]*:' $tracing/trace | sort | uniq -c | sort -rn | tr -s ' \n' ' ')"
	grep ' kvm_' $tracing/trace | tail -n 12 | sed 's/^/scenario: trace: /'
}

# guest_symbols: each vCPU's rip from ursa's dump, named from this
# machine's /proc/kallsyms: right for a guest that runs the nested
# kernel's own bzImage with nokaslr.
guest_symbols() {
	grep -o 'vcpu [0-9]*: rip=0x[0-9a-f]*' /tmp/ursa.out | while read -r _ n rip; do
		rip=${rip#rip=0x}
		[ ${#rip} = 16 ] || continue # not in the kernel's half
		# kallsyms' addresses are 16 hex digits: as strings they sort
		# as numbers.
		sym=$(awk -v rip="$rip" '
			$2 ~ /^[tT]$/ && $1 <= rip && $1 > at { at = $1; best = $3 }
			END { if (best != "") print best }' /proc/kallsyms)
		echo "scenario: vcpu ${n%:} at ${sym:-?} (0x$rip)"
	done
}

# vmm_signal SIGNAL PID: SIGNAL to PID's children, then to PID. A VMM run
# under a wrapper (strace) is the wrapper's child, and strace on SIGTERM
# detaches and leaves its tracee running.
vmm_signal() {
	for stat in /proc/[0-9]*/stat; do
		# Field 4 is the parent's pid (proc(5)); comm (field 2) of
		# these programs has no space.
		read -r child _ _ parent _ 2>/dev/null <"$stat" || continue
		[ "$parent" = "$2" ] && kill "-$1" "$child" 2>/dev/null
	done
	kill "-$1" "$2" 2>/dev/null
}

# run_guest SECONDS URSA-ARGS...: run ursa (or $VMM) with the guest's
# console streaming to the serial log. A guest still running after SECONDS
# gets SIGQUIT (ursa prints every vCPU's registers: where it hung) and
# then SIGTERM; with STOP_AFTER set, so does a VMM that printed it. Sets
# $status and $out (everything the VMM printed).
# With TYPE_AFTER and TYPE_TEXT set, TYPE_TEXT is typed on ursa's stdin
# once the guest printed TYPE_AFTER (so that it cannot be lost before the
# guest's serial driver is up).
run_guest() {
	limit=$1
	shift
	: >/tmp/ursa.out
	rm -f /tmp/ursa.in
	mkfifo /tmp/ursa.in
	"${VMM:-$URSA}" "$@" </tmp/ursa.in >/tmp/ursa.out 2>&1 &
	pid=$!
	# Hold the fifo open for writing for as long as ursa runs.
	exec 8>/tmp/ursa.in
	typed=""
	[ -n "$TYPE_AFTER" ] || typed=yes
	tail -f /tmp/ursa.out &
	tailpid=$!
	waited=0
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$typed" ] && grep -q "$TYPE_AFTER" /tmp/ursa.out; then
			echo "$TYPE_TEXT" >&8
			typed=yes
		fi
		if [ -n "$STOP_AFTER" ] && grep -q "$STOP_AFTER" /tmp/ursa.out; then
			sleep 1 # the rest of what it says about it
			vmm_signal TERM "$pid"
			break
		fi
		if [ "$waited" -ge "$limit" ]; then
			echo "scenario: the guest is still running after ${limit}s"
			guest_hang_report "$pid"
			vmm_signal QUIT "$pid"
			sleep 3
			guest_symbols
			vmm_signal TERM "$pid"
			break
		fi
		sleep 1
		waited=$((waited + 1))
	done
	wait "$pid"
	status=$?
	exec 8>&-
	sleep 1
	kill "$tailpid"
	out=$(cat /tmp/ursa.out)
}
