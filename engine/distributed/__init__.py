"""Runs on worker machines: ``flowdeck daemon --broker URL`` sends each run through Dramatiq and Redis to the
``flowdeck worker`` processes that share the broker (docs/scaling.md).

Nothing here is imported unless ``--broker`` is given or ``flowdeck worker`` runs: ``import engine`` and a daemon
without a broker never load Dramatiq or the Redis client.
"""
