# Sourced by the linux-* scenarios (not a scenario itself).
#
# run_guest SECONDS URSA-ARGS...: run ursa with the guest's console
# streaming to the serial log. A guest still running after SECONDS gets
# SIGQUIT (ursa prints every vCPU's registers: where it hung) and then
# SIGTERM. Sets $status and $out (everything ursa printed).
run_guest() {
	limit=$1
	shift
	: >/tmp/ursa.out
	"$URSA" "$@" >/tmp/ursa.out 2>&1 &
	pid=$!
	tail -f /tmp/ursa.out &
	tailpid=$!
	waited=0
	while kill -0 "$pid" 2>/dev/null; do
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
	sleep 1
	kill "$tailpid"
	out=$(cat /tmp/ursa.out)
}
