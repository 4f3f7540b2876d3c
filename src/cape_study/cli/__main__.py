"""``python -m cape_study.cli``: the same as the ``cape-study`` command."""

import sys

from cape_study.cli import main

sys.exit(main())
