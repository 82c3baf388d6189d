"""The composition root: settings, wiring, the command line and the process that runs debrief."""
