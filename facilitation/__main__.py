"""`python -m facilitation …`: kept for the README and scripts; the command line lives at the edge.

The one module of the package that reaches outside it: it only hands over to `cli/commands.py`, next to
`app.py`, which may import everything (exports included).
"""

import sys

from cli import main

sys.exit(main())
