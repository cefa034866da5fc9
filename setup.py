"""Build hook: compile the translation catalogues (``.po`` → ``.mo``) into the package.

The compiled ``.mo`` files are not kept in git; without this step a plain ``pip install .``
from a fresh clone ships no English and the « EN » link keeps the pages in French. Babel is
a build requirement (pyproject.toml) and already a dependency of Flask-Babel.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogues(build_py):
    """``build_py`` that first compiles every ``webui/translations/*/LC_MESSAGES/*.po``."""

    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(__file__).resolve().parent
        for po_path in sorted(root.glob("webui/translations/*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as source:
                catalogue = read_po(source)
            with po_path.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
