"""`python -m verzuimdsl.cli` is `vzc`."""

from . import main

main()
