"""`python -m briefing export ...`: see briefing/cli.py."""

import sys

from briefing.cli import main

sys.exit(main())
