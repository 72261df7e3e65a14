#!/usr/bin/env python3
"""Side by side: `backup-bot match --jsonl` (start-up included) against `grep -F -i -f codes.txt`,
the floor for merely finding exact codes, on the same file of channel traffic.

usage: bench/side_by_side.py [--lines 500000] [--runs 5] [--bin target/release/backup-bot]
Prints the median wall time of each, their ratio, and the matcher's peak resident memory.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--lines", type=int, default=500_000)
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--bin", default="target/release/backup-bot")
a = ap.parse_args()

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
tmp = tempfile.mkdtemp(prefix="side-by-side-")
traffic = os.path.join(tmp, "traffic.jsonl")
subprocess.run([sys.executable, "bench/gen_traffic.py", str(a.lines), traffic], check=True)

codes = set()
for name in os.listdir("content/entries"):
    text = open(os.path.join("content/entries", name), encoding="utf-8").read()
    m = re.search(r"^codes = \[(.*)\]$", text, re.M)
    if m:
        codes.update(c for c in re.findall(r'"([^"]+)"', m.group(1)) if not c.isdigit())
codes_txt = os.path.join(tmp, "codes.txt")
open(codes_txt, "w").write("\n".join(sorted(codes)) + "\n")


def timed(cmd, stdin_path):
    best = []
    for _ in range(a.runs):
        with open(stdin_path, "rb") as f, open(os.path.join(tmp, "out"), "wb") as out:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdin=f, stdout=out, check=True)
            best.append(time.perf_counter() - t0)
    return statistics.median(best)


grep = timed(["grep", "-F", "-i", "-f", codes_txt, traffic], "/dev/null")
ours = timed([a.bin, "match", "--jsonl"], traffic)
rss = subprocess.run(["/usr/bin/time", "-f", "%M", a.bin, "match", "--jsonl"], stdin=open(traffic, "rb"),
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr.strip().splitlines()[-1]
size = os.path.getsize(traffic) / 1e6
print(f"{a.lines} lines ({size:.1f} MB), 1% pastes, 1% look-alikes; median of {a.runs} runs")
print(f"grep -F -i -f codes.txt: {grep:.3f} s")
print(f"backup-bot match --jsonl: {ours:.3f} s ({a.lines / ours / 1e6:.2f} M lines/s), peak RSS {int(rss) / 1024:.1f} MiB")
print(f"ratio: {ours / grep:.1f}x")
