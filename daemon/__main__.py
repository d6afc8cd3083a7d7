"""``python -m escalated.daemon``: the same as the ``escalated`` console script."""

from escalated.daemon.cli import main

raise SystemExit(main())
