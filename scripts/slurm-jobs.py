#!/usr/bin/env python3
"""What scripts/check-slurm-recipe.sh reads from Slurm, without an accounting database (no sacct).

`scontrol -o show job` keeps finished jobs for MinJobAge (3600 s on the CI cluster), one line each,
array tasks one line per task. Jobs are picked by their working folder: each scenario has its own.

  slurm-jobs.py active DIR           exit 0 if a job of DIR is pending or running
  slurm-jobs.py arrays DIR           the array job IDs of DIR
  slurm-jobs.py report DIR MERGE     the season tasks and the merge job MERGE; checks the merge started
                                     after the last task ended; last line: peak=P merge_exit=E
  slurm-jobs.py state DIR JOB_TASK   the state of array task JOB_TASK (e.g. 12_3)
  slurm-jobs.py unfinished DIR N     the shards 0 … N−1 without a completed season task in DIR, as A,B,…
                                     (a complement: a task cancelled before it started leaves no record)
  slurm-jobs.py holder FILE          JOB_TASK of the Slurm array task with FILE open (from /proc)
"""
import datetime
import json
import os
import subprocess
import sys

ACTIVE = {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED"}


def jobs(folder):
    out = subprocess.run(["scontrol", "-o", "show", "job"], capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if fields.get("WorkDir") == folder:
            found.append(fields)
    return found


def seconds(text):
    return datetime.datetime.fromisoformat(text).timestamp()


def name(task):
    return f"{task['ArrayJobId']}_{task['ArrayTaskId']}"


def report(folder, merge_id):
    found = jobs(folder)
    tasks = [j for j in found if j.get("JobName") == "podsmith-season"]
    (merge,) = [j for j in found if j["JobId"] == merge_id]
    for t in sorted(tasks, key=lambda t: (int(t["ArrayJobId"]), int(t["ArrayTaskId"]))):
        print(f"  task {name(t)}: {t['JobState']} exit {t['ExitCode']}, {t['StartTime']} to {t['EndTime']}")
    print(f"  merge {merge['JobId']}: {merge['JobState']} exit {merge['ExitCode']}, "
          f"{merge['StartTime']} to {merge['EndTime']}")
    # Peak overlap: how many tasks were running at some task's start (started at or before it and
    # ended after it; Slurm's times are whole seconds).
    spans = [(seconds(t["StartTime"]), seconds(t["EndTime"])) for t in tasks]
    peak = max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)
    if seconds(merge["StartTime"]) < max(e for _, e in spans):
        sys.exit("check-slurm-recipe: the merge started before the last shard ended")
    print(f"peak={peak} merge_exit={merge['ExitCode']}")


def holder(path):
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == path for fd in os.listdir(f"/proc/{pid}/fd")):
                with open(f"/proc/{pid}/environ") as f:
                    env = dict(v.split("=", 1) for v in f.read().split("\0") if "=" in v)
                print(f"{env['SLURM_ARRAY_JOB_ID']}_{env['SLURM_ARRAY_TASK_ID']}")
                return
        except (OSError, KeyError):
            pass


def main(command, *args):
    if command == "active":
        sys.exit(0 if any(j["JobState"] in ACTIVE for j in jobs(args[0])) else 1)
    elif command == "arrays":
        print(*sorted({j["ArrayJobId"] for j in jobs(args[0]) if j.get("ArrayJobId")}))
    elif command == "report":
        report(*args)
    elif command == "state":
        print(*[j["JobState"] for j in jobs(args[0]) if j.get("ArrayTaskId") and name(j) == args[1]])
    elif command == "unfinished":
        done = {int(j["ArrayTaskId"]) for j in jobs(args[0])
                if j.get("JobName") == "podsmith-season" and j["JobState"] == "COMPLETED"}
        print(",".join(str(k) for k in range(int(args[1])) if k not in done))
    elif command == "holder":
        holder(args[0])
    else:
        sys.exit(f"usage: {sys.argv[0]} active|arrays|report|state|unfinished|holder …")


if __name__ == "__main__":
    main(*sys.argv[1:])
