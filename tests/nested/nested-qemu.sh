# Sourced by run-nested: the QEMU that runs the nested machine.
#
# Debian 12's own QEMU (7.2) runs the nested machine, except for scenarios
# with a "# needs: qemu-backports" line: with 7.2, SMP Linux guests of the
# nested KVM froze the machine in their boot (the CPU stayed in the guest,
# at one address, for 25 s and more; the nested kernel's LAPIC timer never
# took it out, a keyboard interrupt did: tests/nested/README.md, "What
# froze the nested machine"). The QEMU of bookworm-backports (10.0) did
# not; the other scenarios stay on the QEMU they were proven on. The
# backports QEMU is downloaded with apt-get from Debian's registry into the
# cache and unpacked there, never installed on this machine (its libraries
# are bookworm's own). URSA_NESTED_QEMU names another binary for every
# scenario.
QEMU_SUITE=bookworm-backports
QEMU_DEBS=(qemu-system-x86 qemu-system-common qemu-system-data seabios)

# resolve_qemu CACHE SCENARIO-FILE: set QEMU_CMD (an array: binary and
# firmware paths).
resolve_qemu() {
	local cache=$1 dir=$1/qemu apt=$1/qemu-apt opts
	if [ -n "${URSA_NESTED_QEMU:-}" ]; then
		read -r -a QEMU_CMD <<<"$URSA_NESTED_QEMU"
		return
	fi
	if ! grep -q '^# needs: qemu-backports' "$2"; then
		QEMU_CMD=(qemu-system-x86_64)
		return
	fi
	if [ ! -x "$dir/usr/bin/qemu-system-x86_64" ]; then
		mkdir -p "$apt/lists/partial" "$apt/debs"
		printf 'deb http://deb.debian.org/debian %s main\n' "$QEMU_SUITE" >"$apt/sources.list"
		opts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
			-o Dir::State::Lists="$apt/lists" -o APT::Sandbox::User=root)
		note "downloading QEMU from $QEMU_SUITE: ${QEMU_DEBS[*]}"
		apt-get "${opts[@]}" update -q >&2 || skip "apt-get update of $QEMU_SUITE failed"
		rm -f "$apt/debs"/*.deb
		(cd "$apt/debs" && apt-get "${opts[@]}" download -q "${QEMU_DEBS[@]/%//$QEMU_SUITE}" >&2) ||
			skip "apt-get download ${QEMU_DEBS[*]} from $QEMU_SUITE failed"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		for deb in "$apt/debs"/*.deb; do
			dpkg-deb -x "$deb" "$dir.tmp" || die "cannot unpack $deb"
		done
		! ldd "$dir.tmp/usr/bin/qemu-system-x86_64" | grep 'not found' ||
			die "the QEMU of $QEMU_SUITE needs libraries this machine lacks"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
	fi
	QEMU_CMD=("$dir/usr/bin/qemu-system-x86_64" -L "$dir/usr/share/qemu" -L "$dir/usr/share/seabios")
}
