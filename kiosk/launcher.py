"""Entry point of the `motcua` console script.

`motcua run` monkey-patches for the chosen async mode *before* importing
Flask, SQLAlchemy or anything that opens sockets; every other sub-command
runs in plain threading mode.  Keep this module's imports to `sys` and
`kiosk.asyncmode`.
"""

import sys

from kiosk import asyncmode


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"] or argv[:2] == ["devices", "run"]:
        asyncmode.apply()
    from kiosk.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
