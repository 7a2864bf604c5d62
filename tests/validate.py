#!/usr/bin/python3
"""Validate a results document against the committed JSON Schema.

usage: validate.py SCHEMA DOCUMENT
Prints one line and exits 0 when valid, 1 when not, 2 on bad input.
Needs Debian's python3-jsonschema (run it with /usr/bin/python3).
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("jsonschema module not available")
    sys.exit(2)


def main():
    if len(sys.argv) != 3:
        print("usage: validate.py SCHEMA DOCUMENT")
        return 2
    try:
        with open(sys.argv[1]) as f:
            schema = json.load(f)
        with open(sys.argv[2]) as f:
            # Strict JSON: NaN and Infinity are not JSON.
            doc = json.load(f, parse_constant=lambda c: (_ for _ in ()).throw(
                ValueError("non-standard JSON constant " + c)))
    except (OSError, ValueError) as e:
        print("cannot read: %s" % e)
        return 1
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:10]:
        where = "/".join(str(p) for p in e.path) or "(root)"
        print("invalid at %s: %s" % (where, e.message))
    if errors:
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
