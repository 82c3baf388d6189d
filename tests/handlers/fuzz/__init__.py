"""Property-based fuzzing of the real Slack and Discord apps through their harnesses and fake servers.

Two Hypothesis profiles, registered here:

- ``ci`` (the default): a bounded number of examples per test, no deadline, derandomized so every CI run
  tries the same examples, no example database.
- ``long``: 500 examples per test with fresh random examples each run; choose it with
  ``DEBRIEF_FUZZ_PROFILE=long``. A failure prints a ``@reproduce_failure`` blob to replay it.

The fuzz tests take their settings from :func:`fuzz_settings` instead of ``settings.load_profile``, so choosing
a profile here never changes the other Hypothesis tests of the suite that run in the same worker process.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    # One running app serves every example of a test (a function-scoped fixture), on purpose.
    suppress_health_check=(HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large),
)
settings.register_profile("long", settings.get_profile("ci"), max_examples=500, derandomize=False, print_blob=True)

PROFILE = os.environ.get("DEBRIEF_FUZZ_PROFILE", "ci").strip() or "ci"


def fuzz_settings(ci_examples: int) -> settings:
    """The chosen profile; in `ci` with this test's own bounded number of examples."""
    chosen = settings.get_profile(PROFILE)
    return settings(chosen, max_examples=ci_examples if PROFILE == "ci" else chosen.max_examples)
