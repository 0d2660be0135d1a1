"""Print the settings table for the README from config.Settings (the single source)."""

from broadsheet.config import Settings

print("| variable | default | meaning |")
print("|---|---|---|")
for name, field in Settings.model_fields.items():
    default = "per-user data dir" if name == "data_dir" else field.default
    if name == "extract_workers":
        default = "cores (max 4)"
    print(f"| `BROADSHEET_{name.upper()}` | `{default}` | {field.description} |")
