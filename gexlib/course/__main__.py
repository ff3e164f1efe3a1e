"""``python -m gexlib.course student|course``: the course's command line."""

import sys

from .cli import main

sys.exit(main())
