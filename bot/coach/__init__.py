"""Model feedback: a team-chosen language model judges the reasoning, the rules engine guards what it says."""
