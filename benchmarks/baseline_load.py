"""The baseline `opsbook validate` is compared with: parse the same files, nothing else.

    python benchmarks/baseline_load.py KB_DIR

Reads every .yaml file and the YAML front matter of every .md file under
KB_DIR and parses each with PyYAML's libyaml-backed loader
(``yaml.load(text, Loader=yaml.CSafeLoader)``), KEEPING every parsed document
in one list until the end. A validator has to hold the whole model in memory
(references are checked across files: an incident names people, services and
runbooks defined elsewhere), so a fair floor for its peak memory is "all
documents parsed and alive at once", not "parse one, drop it, parse the next".
"""

from __future__ import annotations

import os
import sys

import yaml


def front_matter(text: str) -> str | None:
    """The YAML between a first line '---' and the next '---' (or '...') line."""
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]) + "\n"
    return None


def load_all(root: str) -> list:
    documents: list = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    text = handle.read()
            elif name.endswith(".md"):
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    text = front_matter(handle.read())
                if text is None:
                    continue
            else:
                continue
            documents.append(yaml.load(text, Loader=yaml.CSafeLoader))
    return documents


def main() -> int:
    documents = load_all(sys.argv[1])
    print(f"{len(documents)} documents parsed and kept in memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
