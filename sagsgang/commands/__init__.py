"""Sub-commands of `sagsgang`, one module per group; each has register(commands)."""
