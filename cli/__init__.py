"""The command line, `python -m facilitation …`: its commands are in cli/commands.py."""

from cli.commands import main

__all__ = ["main"]
