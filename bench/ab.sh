#!/bin/bash
# A/B of the hub benches: bench/ab.sh BEFORE [AFTER]: two clean trees (git archive), the same bench
# scripts (this checkout's bench/) in both, each bench run on one then the other, back to back;
# the output in /tmp/ab/NAME.txt, each run headed by the time and load average.
rm -rf /tmp/ab
cd "$(dirname "$0")/.."; ROOT=$PWD
BEFORE=${1:?usage: bench/ab.sh BEFORE [AFTER]}
AFTER=${2:-HEAD}
rm -rf /tmp/ab-before /tmp/ab-after; mkdir -p /tmp/ab-before /tmp/ab-after /tmp/ab
git archive "$BEFORE" | tar -x -C /tmp/ab-before
git archive "$AFTER" | tar -x -C /tmp/ab-after
cp -r bench/. /tmp/ab-before/bench/
for t in before after; do ln -s "$ROOT/.venv" /tmp/ab-$t/.venv; done
echo "before=$BEFORE after=$AFTER" > /tmp/ab/commits.txt
run() { name=$1; shift; for t in before after; do
  cd /tmp/ab-$t; echo "== $t $(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ab/$name.txt
  PYTHONPATH=/tmp/ab-$t timeout 1200 .venv/bin/python "$@" >> /tmp/ab/$name.txt 2>&1
  echo "== end $t $(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >> /tmp/ab/$name.txt
done; }
run cpu bench/cpu_per_operation.py --rounds 5
run issuing bench/issuing.py --databases sqlite,postgres --depths 0,1000,2000 --batch 200 --seconds 10
run press bench/next_to_display.py --clients 100,1000 --presses 10
run press2000 bench/next_to_display.py --clients 100 --presses 10 --waiting 2000
run subscribe bench/subscribe.py --databases sqlite,postgres --screens 1000 --subscribes 100
run browser bench/browser_screens.py --screens 300
echo done > /tmp/ab/DONE
