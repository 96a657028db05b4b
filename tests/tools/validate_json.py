#!/usr/bin/python3
"""Checks JSON files against a JSON Schema.

Usage: validate_json.py SCHEMA FILE...

Prints "ok FILE" or "FAIL FILE: <where in the document>: <message>" (the
first few errors) per file; exits 1 when any file fails, 2 on bad usage or
a bad schema. A top-level "_excerpt_note" is dropped before validating: the
shared reference files are excerpts of real outputs that say so there.
"""
import json
import sys

import jsonschema
from jsonschema.exceptions import best_match

MAX_ERRORS = 3
MAX_MESSAGE = 200


def load_validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def describe(error):
    # anyOf/oneOf failures say little; the closest branch's error says more.
    if error.context:
        error = best_match(error.context)
    message = error.message
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return f"{error.json_path}: {message}"


def check(validator, path):
    """The lines to print for PATH; the first says whether it passed."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [f"FAIL {path}: $: cannot read: {e}"]
    if isinstance(doc, dict):
        doc.pop("_excerpt_note", None)
    errors = []
    for error in validator.iter_errors(doc):
        errors.append(error)
        if len(errors) > MAX_ERRORS:
            break
    if not errors:
        return [f"ok {path}"]
    lines = [f"FAIL {path}: {describe(e)}" for e in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        lines.append(f"     {path}: more errors not shown")
    return lines


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        validator = load_validator(argv[1])
    except (OSError, ValueError, jsonschema.SchemaError) as e:
        print(f"validate_json.py: {argv[1]}: bad schema: {e}", file=sys.stderr)
        return 2
    failed = False
    for path in argv[2:]:
        lines = check(validator, path)
        failed = failed or lines[0].startswith("FAIL")
        print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
