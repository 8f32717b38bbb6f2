"""The ASGI application `dacu serve` runs: one per worker process, settings from the env."""

import gc

from dacu.bootstrap import from_settings
from dacu.entrypoints.api.app import create_app

app = create_app(from_settings(migrate=False))  # `dacu serve` migrates once, before forking

# What the process built to serve — modules, routes, schemas, the platform — lives as long
# as it does: kept out of the collector's full sweeps, which a batch of 1,000 events (a few
# thousand objects read from its body) would otherwise set walking over all of it.
gc.freeze()
