#!/usr/bin/python3
"""Copies the examples of tests/orm/docs_examples_test.cpp into docs/orm.md.

Each example lies between `// doc:begin NAME` and `// doc:end` in the test; in the guide it is
the ```cpp block after `<!-- example: NAME -->`. orm_tests (DocsGuide.HoldsEveryTestedExample)
fails when the two differ; run this script after changing an example.
"""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parents[2]
test = (root / "tests/orm/docs_examples_test.cpp").read_text()
guide_path = root / "docs/orm.md"
guide = guide_path.read_text()

snippets = {}
name, indent, lines = None, 0, []
for line in test.split("\n"):
    at = len(line) - len(line.lstrip(" "))  # a marker is a line of its own
    if at >= 0 and line[at:].startswith("// doc:begin "):
        name, indent, lines = line[at + 13:], at, []
    elif at >= 0 and line[at:].startswith("// doc:end"):
        snippets[name] = "".join(l[indent:] + "\n" if len(l) > indent else "\n" for l in lines)
        name = None
    elif name is not None:
        lines.append(line)

for name, text in snippets.items():
    pattern = re.compile(r"(<!-- example: %s -->\n```cpp\n).*?(```)" % re.escape(name), re.S)
    guide, found = pattern.subn(lambda m: m.group(1) + text + m.group(2), guide)
    if not found:
        raise SystemExit(f"docs/orm.md has no <!-- example: {name} --> block")
guide_path.write_text(guide)
