"""The question bank and rubrics: YAML files, their schema and loader."""
