"""The Discord adapter: slash commands, threads or forum posts, buttons, DMs, on discord.py."""
