"""`python -m bot` is the `debrief` command."""

from bot.app.cli import entry

if __name__ == "__main__":
    entry()
