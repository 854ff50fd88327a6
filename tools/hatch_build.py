"""Wheel build hook: put the npm-fetched front-end files into the package before building."""

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

sys.path.insert(0, str(Path(__file__).resolve().parent))

import frontend  # noqa: E402


class FrontendAssetsHook(BuildHookInterface):
    """Fetches socket.io-client and friends from npm so the wheel installs with pip alone."""

    def initialize(self, version, build_data):
        """Run npm ci and copy the assets unless they are already in place."""
        if not frontend.assets_present():
            frontend.main()
