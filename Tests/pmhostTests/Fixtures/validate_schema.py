#!/usr/bin/env python3
"""Validates JSON files against a JSON Schema (draft 2020-12) with the jsonschema package.
Usage: validate_schema.py SCHEMA FILE... ; prints one line per error (path: message) and
exits 1 when any file is invalid."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for name in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(name))):
        bad += 1
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        print(f"{name}: ${path}: {error.message}")
sys.exit(1 if bad else 0)
