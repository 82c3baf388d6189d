"""The rubric engine: reading an answer, scoring it against a rubric, and rendering the feedback."""
