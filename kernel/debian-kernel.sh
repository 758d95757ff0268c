# Shell helpers shared by kernel/build-kvm-modules and tests/nested/run-nested:
# messages and exit codes, apt packages, and Debian's 6.12 kernel packages.
# Sourced by bash scripts that set PROG (the name used in messages).

note() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { note "error: $*"; exit 1; }

# A prerequisite cannot be had here: exit 77 (meson's "skipped"), or fail when
# the caller insists on running (CI sets URSA_REQUIRE_NESTED=1).
skip() {
	if [ "${URSA_REQUIRE_NESTED:-0}" = 1 ]; then
		die "$* (URSA_REQUIRE_NESTED=1, so this is a failure, not a skip)"
	fi
	note "SKIP: $*"
	exit 77
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	[ "$(id -u)" = 0 ] || skip "apt's package lists need updating, which needs root"
	note "apt-get update"
	apt-get update -q >&2 || skip "apt-get update failed"
	apt_updated=1
}

# need_packages PKG...: install the packages that are missing (as root only).
need_packages() {
	local p missing=()
	for p; do
		[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
			missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return
	[ "$(id -u)" = 0 ] || skip "missing packages: ${missing[*]} (run as root to have them installed)"
	apt_update
	note "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}" >&2 ||
		skip "apt-get install ${missing[*]} failed"
}

# lock_cache DIR: serialise downloads, extraction and builds in DIR across
# processes. The lock (fd 9) is inherited by child processes, which must not
# take it again: URSA_CACHE_LOCKED tells them it is held.
lock_cache() {
	mkdir -p "$1"
	[ "${URSA_CACHE_LOCKED:-}" = "$1" ] && return
	exec 9>"$1/.lock"
	if ! flock -n 9; then
		note "waiting for another process to release $1/.lock"
		flock -w 1800 9 || die "timed out waiting for $1/.lock"
	fi
	export URSA_CACHE_LOCKED=$1
}

# resolve_kernel CACHE: set KABI (e.g. 6.12.117+deb12) and KVER (the packages'
# version, e.g. 6.12.117-1~deb12u1) to the Debian 6.12 kernel the nested
# machine runs: KERNEL_PIN when apt still offers it whole, otherwise the
# newest one whose unsigned image, headers, kbuild and linux-source-6.12 all
# exist in one version, so the stock and the rebuilt modules always belong
# to one kernel.
# The pin: on 6.12.118 the bar-race stub's qemu order reads 0 from edu's ID
# register (200-269 of 2000 cycles, in each of 6 runs). The cause is known
# (tests/nested/README.md, "The zero reads"): 6.12.118 adds a preemption
# point inside KVM's instruction emulation, during which ursa maps the
# BAR's memslot back, and the emulator then reads the device with
# copy_from_user(), one byte at a time, which edu rejects. 6.12.117 has the
# window but no preemption point in it. ursa now maps BARs back only with
# every other vCPU outside KVM_RUN (vmm/pause.c); the pin stays until the
# whole suite has run on 6.12.118.
# URSA_NESTED_KERNEL=newest (or another ABI) moves it.
# apt-cache is slow here (~0.7 s a call), so the answer is kept in
# CACHE/resolved-kernel until apt's package lists or the pin change.
KERNEL_PIN=${URSA_NESTED_KERNEL:-6.12.117+deb12}
resolve_kernel() {
	local memo=$1/resolved-kernel try img pin
	if [ -s "$memo" ] && [ -z "$(find /var/lib/apt/lists -maxdepth 1 -newer "$memo")" ]; then
		read -r pin KABI KVER <"$memo"
		# An older memo held only "KABI KVER".
		[ "$pin" = "$KERNEL_PIN" ] && [ -n "$KVER" ] && return
	fi
	for try in cached updated; do
		for img in "linux-image-$KERNEL_PIN-amd64-unsigned" $(apt-cache pkgnames linux-image-6.12. |
			grep -xE 'linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned' | sort -rV); do
			KABI=${img#linux-image-}
			KABI=${KABI%-amd64-unsigned}
			KVER=$(apt-cache madison "$img" 2>/dev/null | awk 'NR == 1 { print $3 }')
			[ -n "$KVER" ] || continue
			# madison prints "package | version | source" for every version known.
			[ "$(apt-cache madison "$img" "linux-headers-$KABI-amd64" \
				"linux-headers-$KABI-common" "linux-kbuild-$KABI" linux-source-6.12 |
				awk -v v="$KVER" '$3 == v { print $1 }' | sort -u | wc -l)" = 5 ] || continue
			[ "$KABI" = "$KERNEL_PIN" ] || [ "$KERNEL_PIN" = newest ] ||
				note "kernel $KERNEL_PIN is not offered whole; using $KABI"
			echo "$KERNEL_PIN $KABI $KVER" >"$memo"
			return
		done
		[ $try = cached ] && apt_update
	done
	skip "apt offers no complete Debian 6.12 kernel (linux-image-6.12.N+deb12-amd64-unsigned with headers, kbuild and linux-source-6.12 of the same version)"
}

# fetch_debs CACHE PKG...: download PKG=$KVER into CACHE/debs unless already
# there. The packages are only unpacked, never installed on this machine.
fetch_debs() {
	local cache=$1 dir=$1/debs p want=()
	shift
	for p; do
		[ -n "$(deb_file "$cache" "$p")" ] || want+=("$p=$KVER")
	done
	[ ${#want[@]} = 0 ] && return
	note "downloading ${want[*]}"
	rm -rf "$dir/partial" && mkdir -p "$dir/partial"
	# As root, apt downloads as user _apt, who cannot write to this directory.
	(cd "$dir/partial" && apt-get download -q -o APT::Sandbox::User=root "${want[@]}" >&2) ||
		skip "apt-get download ${want[*]} failed"
	# Drop packages of older kernel versions, then keep the new ones.
	find "$dir" -maxdepth 1 -name 'linux-*.deb' ! -name "*_${KVER}_*" -delete
	mv "$dir/partial/"*.deb "$dir/" && rmdir "$dir/partial"
}

# deb_file CACHE PKG: path of a package fetched by fetch_debs, or nothing.
deb_file() { find "$1/debs" -maxdepth 1 -name "${2}_${KVER}_*.deb" 2>/dev/null; }
