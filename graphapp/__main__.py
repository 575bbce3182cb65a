"""``python -m graphapp``: the same as the ``graphapp`` command."""

import sys

from graphapp.cli import main

sys.exit(main())
