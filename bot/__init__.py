"""The platform-neutral core of debrief."""
