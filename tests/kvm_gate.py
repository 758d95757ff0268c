# SPDX-License-Identifier: GPL-2.0-only
"""The rule every test that needs /dev/kvm follows.

kvm_gate() returns None when /dev/kvm opens read-write. Otherwise it prints
why and returns the test's exit status: 77 (meson's skip), or 1 when
URSA_REQUIRE_KVM=1 (CI) makes a missing KVM a failure.
"""
import os


def kvm_gate():
    try:
        os.close(os.open('/dev/kvm', os.O_RDWR))
        return None
    except OSError as e:
        why = '/dev/kvm: %s' % e.strerror
    if os.environ.get('URSA_REQUIRE_KVM') == '1':
        print('FAIL: KVM required (URSA_REQUIRE_KVM=1) but %s' % why)
        return 1
    print('SKIP: %s' % why)
    return 77
