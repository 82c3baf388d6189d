"""Peer review: assigning, writing and marking reviews, and their storage."""
