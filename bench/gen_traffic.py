#!/usr/bin/env python3
"""Writes N lines of channel traffic as JSON lines {"text": ...}: chatter, with 1% pastes and 1%
look-alikes.

usage: gen_traffic.py N OUT.jsonl [--paste-share 0.01] [--look-alike-share 0.01] [--seed 7]
Chatter, look-alikes (other software's errors and near misses, which must get no answer) and
pastes come from tests/fixtures (cases without an expected answer by their shape, and cases
with one), varied with names, numbers and times so that no two lines are the same. The shares
are fixed, so the mix does not drift as the fixtures grow.
"""
import argparse, json, os, random

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int)
ap.add_argument("out")
ap.add_argument("--paste-share", type=float, default=0.01)
ap.add_argument("--look-alike-share", type=float, default=0.01)
ap.add_argument("--seed", type=int, default=7)
a = ap.parse_args()

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "tests", "fixtures")
chatter, look_alikes, pastes = [], [], []
for name in ("public.jsonl", "pastes.jsonl"):
    for line in open(os.path.join(fixtures, name), encoding="utf-8"):
        c = json.loads(line)
        if c.get("expect") or c.get("expect_message") or c.get("expect_entry"):
            pastes.append(c["text"])
        elif c.get("shape") == "chatter":
            chatter.append(c["text"])
        else:
            look_alikes.append(c["text"])
chatter += [
    "deploying api v{n} to staging now",
    "who is on call tonight?",
    "PR #{n} is ready for review",
    "회의실 {n}호로 옮깁니다",
    "lunch at {n}:30?",
    "CPU at {n}% on web-{n}, looking",
    "빌드 {n}번 실패했네요, 다시 돌려볼게요",
    "thanks! merged",
]
rng = random.Random(a.seed)
with open(a.out, "w", encoding="utf-8") as f:
    for i in range(a.n):
        r = rng.random()
        if r < a.paste_share:
            src = pastes
        elif r < a.paste_share + a.look_alike_share:
            src = look_alikes
        else:
            src = chatter
        text = rng.choice(src).replace("{n}", str(rng.randint(1, 99)))
        if rng.random() < 0.5:
            text = f"{text} (#{i})"
        f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
