"""Platform adapters: each translates platform events into core calls and renders the replies."""
