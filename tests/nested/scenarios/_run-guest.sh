# Sourced by the linux-* scenarios (not a scenario itself).
#
# run_guest SECONDS URSA-ARGS...: run ursa with the guest's console
# streaming to the serial log. A guest still running after SECONDS gets
# SIGQUIT (ursa prints every vCPU's registers: where it hung) and then
# SIGTERM. Sets $status and $out (everything ursa printed).
# With TYPE_AFTER and TYPE_TEXT set, TYPE_TEXT is typed on ursa's stdin
# once the guest printed TYPE_AFTER (so that it cannot be lost before the
# guest's serial driver is up).
run_guest() {
	limit=$1
	shift
	: >/tmp/ursa.out
	rm -f /tmp/ursa.in
	mkfifo /tmp/ursa.in
	"$URSA" "$@" </tmp/ursa.in >/tmp/ursa.out 2>&1 &
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
		if [ "$waited" -ge "$limit" ]; then
			echo "scenario: the guest is still running after ${limit}s"
			kill -QUIT "$pid"
			sleep 3
			kill -TERM "$pid"
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
