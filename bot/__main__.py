"""`python -m bot` is the `debrief` command."""

from bot.cli import entry

if __name__ == "__main__":
    entry()
