# The race ursa exists for (issue 6's matrix), with 'ursa repro bar-race' on
# a passed-through edu: the bar-race stub's vCPU 0 turns the device's
# memory decoding off and on through 0xCF8/0xCFC while vCPU 1 reads BAR 0
# and writes it in each window with decoding off; edu_matrix
# (_bar-race.sh) runs the three orderings. Surviving runs: no wrong value,
# no leaked write, some all-ones reads. repro's exit status and summary
# are checked along with the stub's report, and its progress line (every
# 5 s when not on a terminal) must show.
. /scenarios/_bar-race.sh

edu_matrix
echo "NESTED-RESULT: PASS"
