#!/usr/bin/python3
"""Regenerates the conformance fixtures with another PyTorch and compares them with the committed ops.json.

Run:  /usr/bin/python3 backends/cpu/src/test/python/compare_torch_versions.py /path/to/venv/bin/python
(e.g. a virtualenv with pip's PyTorch 2.x). Prints, per category, the cases whose inputs, error or values (float
tolerance 1e-5 relative) differ; exits 1 if any do. Nothing is written into the repository.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
COMMITTED = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "ops.json"))


def close(x, y):
    if isinstance(x, list):
        return isinstance(y, list) and len(x) == len(y) and all(close(p, q) for p, q in zip(x, y))
    if "str" in x:
        return x.get("str") == y.get("str")
    if x["dtype"] != y["dtype"] or x["shape"] != y["shape"]:
        return False
    for p, q in zip(x["data"], y["data"]):
        if isinstance(p, (str, bool)) or isinstance(q, (str, bool)):
            if p != q:
                return False
        elif abs(p - q) > 1e-5 * max(1.0, abs(q)):
            return False
    return True


def main():
    other = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "python"))
        shutil.copy(os.path.join(HERE, "generate_fixtures.py"), os.path.join(tmp, "python"))
        subprocess.run([other, os.path.join(tmp, "python", "generate_fixtures.py")], check=True, stdout=subprocess.DEVNULL)
        mine = json.load(open(COMMITTED))
        theirs = json.load(open(os.path.join(tmp, "resources", "fixtures", "ops.json")))
    print("committed: torch %s, regenerated: torch %s" % (mine["torch"], theirs["torch"]))
    by_name = {c["name"]: c for c in theirs["cases"]}
    categories, failed = {}, False
    for c in mine["cases"]:
        d = by_name.get(c["name"])
        count, diffs = categories.setdefault(c["category"], [0, []])
        categories[c["category"]][0] = count + 1
        if d is None:
            diffs.append((c["name"], "missing"))
        elif c["inputs"] != d["inputs"]:
            diffs.append((c["name"], "inputs"))
        elif bool(c.get("error")) != bool(d.get("error")):
            diffs.append((c["name"], "error: %s vs %s" % (c.get("errorMessage"), d.get("errorMessage"))))
        elif not c.get("error") and not close(c["expected"], d["expected"]):
            diffs.append((c["name"], "values"))
    for k, (n, diffs) in categories.items():
        print("  %-12s %4d cases, %d differ %s" % (k, n, len(diffs), diffs[:8] if diffs else ""))
        failed |= bool(diffs)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
