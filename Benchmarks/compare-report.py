#!/usr/bin/env python3
"""Turns Benchmarks/compare's timings into RESULTS.md: medians, min–max, ratios, targets, notes and
the exact commands. Called by the compare script after every group (arguments: see the script)."""
import statistics, sys, datetime, collections
times, loudness, loads, commands, out, machine, versions, runs, runs_slow, minutes, quick, notes = sys.argv[1:13]

rows = collections.OrderedDict()
for line in open(times):
    g, label, run, wall, user, sys_, rss = line.rstrip("\n").split("\t")
    rows.setdefault((g, label), []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
loud = {}
for line in open(loudness):
    g, label, i, tp, dur = line.rstrip("\n").split("\t")
    loud[(g, label)] = (i, tp, dur)
cmds = [line.rstrip("\n").split("\t") for line in open(commands)]
load = [float(x) for x in open(loads).read().split()] or [0.0]

def med(xs): return statistics.median(xs)
def fmt(x): return f"{x:.2f}" if x < 10 else f"{x:.1f}"
def num(x, nd=2):
    try: return f"{float(x):.{nd}f}"
    except (TypeError, ValueError): return "–"

groups = collections.OrderedDict()
for (g, label), samples in rows.items():
    groups.setdefault(g, []).append((label, samples))

lines = []
lines.append("| task | tool | runs | wall s, median (min–max) | CPU s (user+sys) | peak RSS MB | wall ÷ podsmith | CPU ÷ podsmith | output I LUFS | output TP dBTP |")
lines.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
summary = {}
for g, entries in groups.items():
    ref = ref_cpu = None
    for label, samples in entries:
        if label in ("podsmith", "--jobs 1"):
            ref = med([s[0] for s in samples])
            ref_cpu = med([s[1] for s in samples])
    for label, samples in entries:
        walls = [s[0] for s in samples]
        w = med(walls)
        summary[(g, label)] = (w, max(s[2] for s in samples), med([s[1] for s in samples]))
        ratio = f"{w / ref:.2f}×" if ref else "–"
        cpu_ratio = f"{med([s[1] for s in samples]) / ref_cpu:.2f}×" if ref_cpu else "–"
        i, tp, _ = loud.get((g, label), (None, None, None))
        lines.append(f"| {g} | {label} | {len(samples)} | {fmt(w)} ({fmt(min(walls))}–{fmt(max(walls))}) | "
                     f"{fmt(med([s[1] for s in samples]))} | {max(s[2] for s in samples):.0f} | {ratio} | {cpu_ratio} | "
                     f"{num(i)} | {num(tp)} |")
table = "\n".join(lines)

def ratio(g_prefix, a, b, which=0):
    """median (wall: which=0, CPU: which=2) of a ÷ that of b, in the first group starting with g_prefix"""
    for (g, label), v in summary.items():
        if g.startswith(g_prefix) and label == a:
            for (g2, label2), v2 in summary.items():
                if g2 == g and label2 == b:
                    return v[which] / v2[which]
    return None
def check(desc, op, target, values, unit="×"):
    cells = []
    for value in values:
        if value is None:
            cells.append("–")
        else:
            ok = value >= target if op == "≥" else value <= target
            cells.append(f"{value:.2f}{unit}{'' if ok else ' (missed)'}")
    return f"| {desc} | {op} {target}{unit} | " + " | ".join(cells) + " |"
def both(prefix, a, b):
    return [ratio(prefix, a, b, 0), ratio(prefix, a, b, 2)]
t = ["| target (issue 5) | wanted | by wall time | by CPU time |", "|---|--:|--:|--:|"]
norm = "normalize → MP3 128k (" + minutes + " min, stereo"
t.append(check("measure: libebur128 ÷ podsmith", "≥", 10, both("measure (" + minutes + " min, stereo", "podsmith --meter libebur128", "podsmith")))
t.append(check("measure: ffmpeg ebur128 ÷ podsmith", "≥", 13, both("measure (" + minutes + " min, stereo", "ffmpeg ebur128", "podsmith")))
t.append(check("normalize: podsmith ÷ lame alone (with verify)", "≤", 1.10, both(norm, "podsmith", "lame -b 128 --cbr (floor)")))
t.append(check("normalize: podsmith --no-verify ÷ lame alone", "≤", 1.05, both(norm, "podsmith --no-verify", "lame -b 128 --cbr (floor)")))
t.append(check("normalize: podsmith --encode-threads 2 ÷ lame alone (stretch)", "≤", 0.6, both(norm, "podsmith --encode-threads 2", "lame -b 128 --cbr (floor)")))
t.append(check("normalize: ffmpeg loudnorm 2-pass ÷ podsmith", "≥", 4.5, both(norm, "ffmpeg loudnorm 2-pass + libmp3lame", "podsmith")))
t.append(check("normalize: ffmpeg-normalize ÷ podsmith", "≥", 4.5, both(norm, "ffmpeg-normalize", "podsmith")))
t.append(check("season: --jobs 1 ÷ --jobs 2 (wall)", "≥", 1.9, [ratio("season", "--jobs 1", "--jobs 2", 0), None]))
# --jobs 2 against the sum of LAME alone on every episode, halved (two cores): within 1.10x.
half_lame = ratio("season", "--jobs 2", "lame alone, episodes one after another", 0)
t.append(check("season: --jobs 2 ÷ (lame alone, sum ÷ 2)", "≤", 1.10, [half_lame * 2 if half_lame is not None else None, None]))
half_lame_nv = ratio("season", "--jobs 2 --no-verify", "lame alone, episodes one after another", 0)
t.append(check("season: --jobs 2 --no-verify ÷ (lame alone, sum ÷ 2)", "≤", 1.10, [half_lame_nv * 2 if half_lame_nv is not None else None, None]))
peak = [v[1] for (g, label), v in summary.items() if label.startswith("podsmith") or label.startswith("--jobs")]
t.append(check(f"peak RSS of any podsmith run ({minutes} min)", "≤", 64, [max(peak) if peak else None, None], " MB"))
targets = "\n".join(t)

command_lines = "\n".join(f"- {g} / **{label}**: `{c}`" for g, label, c in cmds)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
doc = f"""# Benchmark results

Written by `Benchmarks/compare` ({'QUICK smoke run' if quick == '1' else 'full run'}) on {now}.

- Machine: {machine}
- Load average (1 min) sampled before each timed command: median {statistics.median(load):.2f}, min {min(load):.2f}, max {max(load):.2f}{' (the machine was shared with other jobs: figures are noisy)' if max(load) > 1.5 else ''}
- Versions: {versions}
- Inputs: a {minutes}-minute podcast-like episode (speech, pauses, a music bed and interludes, assembled from `SampleAudio/` by the script), as 16-bit WAV, stereo 44.1 kHz and mono 48 kHz.
- Rounds: {runs} (the slow peers — libebur128, ffmpeg ebur128, bs1770gain, the two ffmpeg normalize paths: {min(int(runs), int(runs_slow))}); the tools of a group run in turn within each round.
- Wall and CPU (user + sys, children included) from `/usr/bin/time`; peak RSS is the largest process's.
  "wall ÷ podsmith" and "CPU ÷ podsmith" are the row's medians over podsmith's in the same group (above 1:
  podsmith is faster). With the machine shared, CPU time is the steadier figure. Output loudness is
  the written file decoded and measured with libebur128 (`podsmith measure --meter libebur128 --json`).
  Target {-16} LUFS, ceiling −1 dBTP for every normalizer.

{table}

## Targets

{targets}

## Notes

{notes if notes.strip() else '- none'}

## Commands

{command_lines}
"""
open(out, "w").write(doc)
print(doc)
