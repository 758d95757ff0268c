# needs: linux-guest
# ursa boots the nested machine's own 6.12 bzImage with a busybox initramfs,
# 2 vCPUs, 256 MiB and a virtio-blk ext4 image made on the host, with two
# queues (VIRTIO_BLK_F_MQ) and the I/O thread's default polling: the guest
# must see 2 CPUs and exactly the RAM ursa's e820 gives (256 MiB less the
# 384 KiB legacy hole) and 2 blk-mq queues on vda, read the host's file,
# write one and 4 MiB of random data, read that back from the disk with
# the same MD5, sync and power off (ursa status 0); debugfs then finds the
# guest's file and the same 4 MiB in the image.
EXPECT_STATUS=0
EXPECT_RAM=$((256 * 1024 * 1024 - 0x60000))

. /scenarios/_run-guest.sh
run_guest 120 run --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--append "console=ttyS0 panic=-1 guest_mode=disk" \
	--cpus 2 --memory 256M --disk /guest/disk.img,queues=2 --console stdio
wrote=$(debugfs -R 'cat /new.txt' /guest/disk.img 2>/tmp/debugfs.err)
on_disk=$(debugfs -R 'cat /rand.bin' /guest/disk.img 2>>/tmp/debugfs.err | md5sum | cut -d' ' -f1)
guest_md5=$(echo "$out" | sed -n 's/.*GUEST: rand-written=\([0-9a-f]*\).*/\1/p')
fail() {
	echo "NESTED-RESULT: FAIL $*"
	exit 0
}
[ "$status" = "$EXPECT_STATUS" ] || fail "ursa exited with status $status, expected $EXPECT_STATUS"
echo "$out" | grep -q 'GUEST: init reached' || fail "the guest never reached init"
echo "$out" | grep -q 'GUEST: cpus=2' || fail "the guest did not see 2 CPUs"
echo "$out" | grep -q "GUEST: e820-ram=$EXPECT_RAM" || fail "the guest's RAM is not $EXPECT_RAM bytes"
echo "$out" | grep -q 'GUEST: vda-queues=2' || fail "vda does not have 2 blk-mq queues"
echo "$out" | grep -q 'GUEST: read=written by the host' || fail "the guest did not read the host's file"
echo "$out" | grep -q 'GUEST: wrote new.txt' || fail "the guest did not write its file"
[ -n "$guest_md5" ] || fail "the guest did not write its 4 MiB"
echo "$out" | grep -q "GUEST: rand-read=$guest_md5" || fail "the 4 MiB read back differ from what the guest wrote"
[ "$on_disk" = "$guest_md5" ] || fail "the image's 4 MiB differ from the guest's (md5 $on_disk, guest $guest_md5)"
[ "$wrote" = "written by the guest" ] || fail "the image lacks the guest's file (debugfs: '$wrote' $(tail -n 2 /tmp/debugfs.err))"
echo "NESTED-RESULT: PASS"
