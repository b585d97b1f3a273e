"""Command line: `python -m analysis reach ...` and `python -m analysis changes ...`.

Each command lives in its own module with a `main(argv) -> int`; bad options
print one line and exit 2.
"""

from __future__ import annotations

import importlib
import sys
from typing import Final

COMMANDS: Final = {
    "reach": ("analysis.reach_command", "which destinations a system reaches from bases, with and without some"),
    "changes": ("analysis.changes_command", "what changed between two dates"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        listed = "\n".join(f"  {name:8} {about}" for name, (_, about) in COMMANDS.items())
        print(f"usage: python -m analysis COMMAND [options]\n\ncommands:\n{listed}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
