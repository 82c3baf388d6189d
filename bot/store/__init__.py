"""Redis: every key, the stores shaped like the domain, and the Lua scripts that keep writes atomic."""
