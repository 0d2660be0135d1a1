"""Print the settings table for the README from config.Settings (the single source).

A default made by a factory is shown by what the factory means (``DESCRIBED``) or, when it
is a plain value, by the value it makes as the variable takes it (JSON for a dict); the
allowed range of a number is shown after its meaning.
"""

import json

from pydantic_core import PydanticUndefined

from broadsheet.config import Settings

# defaults that depend on the machine: what they mean, not what they are here
DESCRIBED = {"data_dir": "per-user data dir", "extract_workers": "cores (max 4)"}


def default_of(name: str, field) -> str:  # type: ignore[no-untyped-def]
    if name in DESCRIBED:
        return DESCRIBED[name]
    if field.default is PydanticUndefined and field.default_factory is not None:
        value = field.default_factory()
        return json.dumps(value) if isinstance(value, dict | list) else str(value)
    return str(field.default)


def bounds_of(field) -> str:  # type: ignore[no-untyped-def]
    words = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}
    found = [
        f"{words[key]} {getattr(m, key)}"
        for m in field.metadata
        for key in words
        if getattr(m, key, None) is not None
    ]
    return f" ({', '.join(found)})" if found else ""


print("| variable | default | meaning |")
print("|---|---|---|")
for name, field in Settings.model_fields.items():
    meaning = f"{field.description}{bounds_of(field)}"
    print(f"| `BROADSHEET_{name.upper()}` | `{default_of(name, field)}` | {meaning} |")
