"""Build hook (wheel and sdist): put the npm-fetched front-end files into the package first.

Both kinds of package carry the files, so building a wheel from the sdist, or installing
either, needs no Node.js: npm runs only when a file is missing from the source tree.
"""

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

sys.path.insert(0, str(Path(__file__).resolve().parent))

import frontend  # noqa: E402


class FrontendAssetsHook(BuildHookInterface):
    """Fetches socket.io-client and friends from npm so the package installs with pip alone."""

    def initialize(self, version, build_data):
        """Run npm ci and copy the assets unless they are already in place."""
        if not frontend.assets_present():
            try:
                frontend.main()
            except frontend.FrontendError as error:
                raise RuntimeError(str(error)) from None
