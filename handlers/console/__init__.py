"""The terminal adapter: practice alone, no chat platform needed."""
