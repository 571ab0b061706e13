"""Apply datagate's JSON Patch deltas with an independent implementation (python3-jsonpatch).

Usage: /usr/bin/python3 jsonpatch_apply.py CASES.json
CASES.json holds a list of {"previous": <view>, "patch": [<RFC 6902 ops>]}.
Prints a JSON list with, per case, {"result": <patched view>} or {"error": "<exception name>"}.
Run with Debian's /usr/bin/python3, which has the python3-jsonpatch package.
"""
import json
import sys

import jsonpatch


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        cases = json.load(handle)
    out = []
    for case in cases:
        try:
            patch = jsonpatch.JsonPatch(case["patch"])
            out.append({"result": patch.apply(case["previous"], in_place=False)})
        except Exception as error:  # report, do not crash: the test names the failing case
            out.append({"error": type(error).__name__})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
