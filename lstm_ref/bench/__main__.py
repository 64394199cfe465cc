"""``python -m lstm_ref.bench``."""

from .cli import main

raise SystemExit(main())
