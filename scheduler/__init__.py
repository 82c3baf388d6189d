"""Scheduling: per-channel daily posts exactly once across replicas, window closes, reminders, digests."""
