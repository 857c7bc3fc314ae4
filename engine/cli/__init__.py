"""The ``flowdeck`` command line."""
