#!/usr/bin/env python3
"""Brings Engine's public-API snapshot in line with the code, for a deliberate change of the surface.

Builds Engine once and reads the analyzer's errors: each RS0016 symbol (public in the code, not in the snapshot) is
appended to Engine/PublicAPI.Unshipped.txt, each RS0017 symbol (in the snapshot, no longer public) is removed from
whichever snapshot file lists it. The symbol text in those messages is the snapshot's line format. Read the diff
before committing it (docs/design.md, "The public API"). Usage: python3 scripts/update_public_api.py
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
try:
    build = subprocess.run(["dotnet", "build", str(root / "Engine"), "-c", "Release", "--no-incremental"],
                           capture_output=True, text=True)
except FileNotFoundError:
    sys.exit("update_public_api.py: dotnet not found on PATH (the .NET 10 SDK is needed)")
added = sorted(set(re.findall(r"RS0016: Symbol '(.*?)' is not part of the declared public API", build.stdout)))
removed = set(re.findall(r"RS0017: Symbol '(.*?)' is part of the declared API", build.stdout))
if build.returncode != 0 and not added and not removed:
    errors = [line for line in build.stdout.splitlines() if " error " in line]
    sys.exit("update_public_api.py: Engine does not build, for reasons other than the API snapshot:\n"
             + "\n".join(errors[:20] or build.stdout.splitlines()[-20:]))

for name in ("PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt"):
    path = root / "Engine" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line not in removed]
    if name == "PublicAPI.Unshipped.txt":
        kept += [a for a in added if a not in kept]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")

print(f"{len(added)} symbol(s) added to PublicAPI.Unshipped.txt, {len(removed)} removed")
