"""Shared test settings."""

import os

from hypothesis import settings

# Property tests draw the same examples on every run (fixed seeds everywhere): a CI run
# never fails on a case no developer has seen. HYPOTHESIS_PROFILE=explore searches anew.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
