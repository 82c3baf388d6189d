"""Mock interview rounds: sessions, the interviewer, scorecards, and their storage."""
