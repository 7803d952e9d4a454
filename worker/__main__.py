import sys

from .stop_signals import remember

remember()  # (first: a SIGTERM during the imports below is a stop on request, not the end of the process)

from .cli import main  # noqa: E402

sys.exit(main())
