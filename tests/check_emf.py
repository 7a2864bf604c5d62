#!/usr/bin/python3
"""Check a file of CloudWatch EMF lines against the EMF rules.

usage: check_emf.py SCHEMA FILE
Each line: one JSON object, valid against the EMF schema, under 16 KB;
every dimension key and metric name a root member; dimension values
strings; metric values numbers (or arrays of at most 100 numbers); the
timestamp within 14 days back and 2 hours ahead.  Prints one line per
problem and a summary; exits 0 when all lines pass.
"""
import json
import sys
import time

import jsonschema


def check(schema, path):
    problems = []
    lines = open(path, encoding="utf-8").read().splitlines()
    validator = jsonschema.Draft202012Validator(schema)
    now_ms = time.time() * 1000
    for n, line in enumerate(lines, 1):
        if len(line.encode()) >= 16 * 1024:
            problems.append("line %d: %d bytes, not under 16 KB" % (n, len(line)))
        try:
            event = json.loads(line)
        except ValueError as e:
            problems.append("line %d: not JSON: %s" % (n, e))
            continue
        for e in validator.iter_errors(event):
            problems.append("line %d: %s" % (n, e.message))
        aws = event.get("_aws", {})
        ts = aws.get("Timestamp", 0)
        if not now_ms - 14 * 86400e3 <= ts <= now_ms + 2 * 3600e3:
            problems.append("line %d: timestamp out of range" % n)
        for directive in aws.get("CloudWatchMetrics", []):
            for dims in directive.get("Dimensions", []):
                for key in dims:
                    if not isinstance(event.get(key), str):
                        problems.append("line %d: dimension %s is not a string member" % (n, key))
            for metric in directive.get("Metrics", []):
                value = event.get(metric.get("Name"))
                if isinstance(value, list):
                    ok = len(value) <= 100 and all(isinstance(v, (int, float)) for v in value)
                else:
                    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                if not ok:
                    problems.append("line %d: metric %s has no numeric value" % (n, metric.get("Name")))
    return lines, problems


def main():
    if len(sys.argv) != 3:
        print("usage: check_emf.py SCHEMA FILE")
        return 2
    schema = json.load(open(sys.argv[1]))
    lines, problems = check(schema, sys.argv[2])
    for p in problems[:20]:
        print(p)
    print("%d lines, %d problems" % (len(lines), len(problems)))
    return 1 if problems or not lines else 0


if __name__ == "__main__":
    sys.exit(main())
