"""Build hook (wheel and sdist): put the built files into the package first.

The npm-fetched front-end files: both kinds of package carry them, so building a wheel from
the sdist, or installing either, needs no Node.js (npm runs only when a file is missing from
the source tree). The compiled catalogues: each translations/<lang>/LC_MESSAGES/messages.mo is
made from its .po (the source kept in git) whenever it is missing or older, so the wheel has
every language without compiling anything when it runs.
"""

import importlib.util
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import frontend  # noqa: E402


def compile_translations(root: Path) -> list[Path]:
    """Compile the package's catalogues with its own code, loaded without Flask (Babel only)."""
    path = root / "kt_workshop" / "translations" / "__init__.py"
    spec = importlib.util.spec_from_file_location("kt_workshop_translations", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compile_catalogues(path.parent)


class FrontendAssetsHook(BuildHookInterface):
    """Fetches socket.io-client and friends from npm and compiles the catalogues, so the
    package installs with pip alone."""

    def initialize(self, version, build_data):
        """Run npm ci and copy the assets unless they are already in place; compile the .po
        files whose .mo is missing or out of date."""
        if not frontend.assets_present():
            try:
                frontend.main()
            except frontend.FrontendError as error:
                raise RuntimeError(str(error)) from None
        compile_translations(Path(self.root))
