"""`python -m viewer.cli`: the `mothertwin` command."""

import sys

from viewer.cli import main

sys.exit(main())
