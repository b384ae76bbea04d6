"""`python -m facilitation …`: the command line."""

import sys

from facilitation.cli import main

sys.exit(main())
