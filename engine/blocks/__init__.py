"""Built-in blocks. Every module here is imported by the registry and declares its blocks with @block."""
