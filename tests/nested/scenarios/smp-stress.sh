# needs: linux-guest
# needs: qemu-backports
# needs: qemu
# needs: parallel-cpus
# Is a 2-vCPU Linux guest of the nested KVM sound on a nested machine whose
# two CPUs run at once (multi-threaded TCG)? An instrument check, not in
# the suite: it compares ursa with QEMU as the VMM on the same guest. Each
# round boots the guest once under ursa and once under Debian's QEMU 7.2
# (-M microvm -smp 2), with guest_mode=stress (fork and exit on both vCPUs
# for stress_seconds, guest-init). A row is sound when the guest reached
# "stress done", its kernel logged no warning (WARNING, BUG, Oops, RCU
# stall, lockup) and powered off ("reboot: Power down"; run_guest then
# ends a VMM that has not exited by itself: status 0 or 143). Every row
# runs whatever the earlier ones did; then
#   smp-stress: ursa S of N rows sound, qemu S of N rows sound
# and PASS only if every row was sound. stress_rounds (default 3),
# stress_seconds (default 60) and stress_vmms (the rows of a round, comma-
# separated, default ursa,qemu: qemu alone shows what QEMU does on a
# machine ursa never ran on) come from the nested machine's command line.
# shellcheck shell=dash disable=SC2154 # stress_* come from the kernel
ROUNDS=${stress_rounds:-3}
SECONDS_=${stress_seconds:-60}
LIMIT=$((SECONDS_ + 300)) # a boot here takes 40-90 s

. /scenarios/_run-guest.sh
APPEND="console=ttyS0 panic=-1 nokaslr guest_mode=stress stress_seconds=$SECONDS_"

# row VMM: one boot, judged; prints the verdict and returns 0 when sound.
row() {
	STOP_AFTER='reboot: Power down'
	case $1 in
	ursa)
		run_guest $LIMIT run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
			--append "$APPEND" --cpus 2 --memory 256M --console stdio ;;
	qemu)
		VMM=qemu-system-x86_64
		run_guest $LIMIT -M microvm -accel kvm -cpu host -smp 2 -m 256M \
			-nodefaults -no-user-config -display none -serial stdio \
			-kernel /guest/vmlinuz -initrd /guest/initrd.cpio -append "$APPEND"
		VMM='' ;;
	esac
	STOP_AFTER=''
	out=$(echo "$out" | tr -d '\r')
	off=$(echo "$out" | grep -c 'reboot: Power down')
	done_line=$(echo "$out" | grep -m 1 '^GUEST: stress done')
	complaints=$(echo "$out" | sed -n 's/^GUEST: kernel complaints //p')
	if [ "$off" -gt 0 ] && { [ "$status" = 0 ] || [ "$status" = 143 ]; } &&
		[ -n "$done_line" ] && [ "$complaints" = 0 ]; then
		echo "smp-stress: round $round: $1 sound: ${done_line#GUEST: }"
		return 0
	fi
	echo "smp-stress: round $round: $1 NOT sound: status $status, ${done_line:-no stress done line}, complaints ${complaints:-unknown}"
	echo "$out" | grep -E 'WARNING:|BUG:|Oops|stall|LOCKUP|lockup|triple|shutdown|RIP:' | head -n 8 |
		sed "s/^/smp-stress: $1: /"
	return 1
}

sound_ursa=0 sound_qemu=0 ran_ursa=0 ran_qemu=0 round=1
while [ $round -le "$ROUNDS" ]; do
	for vmm in $(echo "${stress_vmms:-ursa,qemu}" | tr , ' '); do
		case $vmm in
		ursa)
			ran_ursa=$((ran_ursa + 1))
			row ursa && sound_ursa=$((sound_ursa + 1)) ;;
		qemu)
			ran_qemu=$((ran_qemu + 1))
			row qemu && sound_qemu=$((sound_qemu + 1)) ;;
		*) echo "NESTED-RESULT: FAIL unknown VMM '$vmm' in stress_vmms"; exit 0 ;;
		esac
	done
	round=$((round + 1))
done
echo "smp-stress: ursa $sound_ursa of $ran_ursa rows sound, qemu $sound_qemu of $ran_qemu rows sound"
if [ $sound_ursa = $ran_ursa ] && [ $sound_qemu = $ran_qemu ]; then
	echo "NESTED-RESULT: PASS"
else
	echo "NESTED-RESULT: FAIL not every row was sound"
fi
