"""`python -m sagsgang.cli`: the same as the `sagsgang` command."""

import sys

from sagsgang.cli.main import main

sys.exit(main())
