"""`python -m kiosk …` is the same as `motcua …`."""

import sys

from kiosk.launcher import main

sys.exit(main())
