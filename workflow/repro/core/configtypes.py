"""Typed `--config` overrides: Snakemake reads the values of `--config key=value` with YAML's BaseLoader, so
`--config 'ntp_pitfalls={"seeds": [3, 4, 5]}'` arrives as {"seeds": ["3", "4", "5"]}. `coerce(config, schema)`
turns each such string into the integer, number, boolean or null the schema declares at that place (an enum or
const of numbers too), so the override validates and the stages get numbers. A string the schema allows as a
string stays a string; one that does not parse stays as it was, for validation to report.
"""
from __future__ import annotations

import copy
from typing import Any

import yaml
from jsonschema import Draft202012Validator

_NULL = ("null", "~", "")
_BOOL = {"true": True, "false": False}


def coerce_file(config: dict, schema_path: str) -> None:
    """Coerce `config` in place by the JSON Schema (YAML) at `schema_path`."""
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    coerce(config, schema)


def coerce(config: dict, schema: dict) -> None:
    """Coerce `config` in place (Snakemake's `config` must stay the same object)."""
    new = _Coercer(schema).value(config, schema)
    config.clear()
    config.update(new)


class _Coercer:
    def __init__(self, root: dict):
        self.root = root

    def resolve(self, schema: Any) -> dict:
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $refs are supported, not {ref!r}")
            target = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            schema = {**{k: v for k, v in schema.items() if k != "$ref"}, **target}
        return schema if isinstance(schema, dict) else {}

    def valid(self, value: Any, schema: dict) -> bool:
        return Draft202012Validator({**schema, "$defs": self.root.get("$defs", {})}).is_valid(value)

    def value(self, value: Any, schema: Any) -> Any:
        schema = self.resolve(schema)
        for sub in schema.get("allOf", []):
            value = self.value(value, sub)
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key, [])
            if branches and not self.valid(value, {key: branches}):
                for sub in branches:   # the first branch the coerced value satisfies
                    candidate = self.value(copy.deepcopy(value), sub)
                    if self.valid(candidate, sub):
                        value = candidate
                        break
        for key in ("then", "else"):
            if key in schema:
                value = self.value(value, schema[key])
        if isinstance(value, str):
            return self.scalar(value, schema)
        if isinstance(value, dict):
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            return {k: self.value(v, props[k] if k in props else extra if isinstance(extra, dict) else {})
                    for k, v in value.items()}
        if isinstance(value, list):
            prefix = schema.get("prefixItems", [])
            items = schema.get("items", {})
            return [self.value(v, prefix[i] if i < len(prefix) else items if isinstance(items, dict) else {})
                    for i, v in enumerate(value)]
        return value

    @staticmethod
    def scalar(text: str, schema: dict) -> Any:
        choices = schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else None
        types = schema.get("type")
        types = {types} if isinstance(types, str) else set(types or ())
        if choices is not None:
            if text in choices:
                return text
            for parsed in _parses(text):
                if any(parsed == c and type(parsed) is type(c) for c in choices):
                    return parsed
            return text
        if not types or "string" in types:
            return text
        for parsed in _parses(text):
            if _json_type(parsed) in types or (_json_type(parsed) == "integer" and "number" in types):
                return parsed
        return text


def _parses(text: str):
    """The non-string values a command-line string can stand for."""
    low = text.strip().lower()
    if low in _BOOL:
        yield _BOOL[low]
    if low in _NULL:
        yield None
    try:
        yield int(text)
    except ValueError:
        pass
    try:
        yield float(text)
    except ValueError:
        pass


def _json_type(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "boolean"
    if isinstance(x, int):
        return "integer"
    if isinstance(x, float):
        return "number"
    return "string"
