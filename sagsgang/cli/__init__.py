"""The `sagsgang` command: one module per group of sub-commands (each has register(commands))."""
