"""Sphinx configuration of the ccsim documentation.

Build (warnings are errors; no network needed):

    sphinx-build -W -b html docs docs/_build/html

Pages are Markdown (MyST). Reference tables, the CLI help, the validation table and
the tutorial's output are produced from the code while the docs build: see
``docs/_ext/ccsim_docs``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import ccsim  # noqa: E402  (after the path set-up, like every Sphinx conf.py)

project = "ccsim"
author = "ccsim developers"
copyright = "ccsim developers, MIT licence"
release = ccsim.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "ccsim_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]

# --- MyST ------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

# --- API reference (numpydoc docstrings) -----------------------------------------------------
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_class_signature = "separated"
autodoc_type_aliases = {  # keep numpy's long type unions out of the signatures
    "npt.ArrayLike": "numpy.typing.ArrayLike",
    "FloatArray": "numpy.ndarray",
    "FloatOrArray": "float | numpy.ndarray",
}
autodoc_inherit_docstrings = False  # no docstrings of the standard library (Executor.submit)
autodoc_default_options = {"exclude-members": "__init__, __new__"}
python_use_unqualified_type_names = True

# --- HTML: everything local (no CDN, no web fonts), math as MathML -----------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"ccsim {release}"
html_static_path = ["_static"]
html_css_files = ["ccsim.css"]
html_math_renderer = "mathml"
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_depth": 3,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}


# --- numpydoc "References" ----------------------------------------------------------------------
# Napoleon keeps ``.. [1] ...`` as footnotes, and footnotes of several functions on one page
# collide ("Duplicate explicit target name"). Each docstring's references become a plain
# numbered list, and ``[1]_`` in its text plain ``[1]``.
_FOOTNOTE = re.compile(r"^(\s*)\.\. \[(\d+)\] ")
_FOOTNOTE_REF = re.compile(r"\[(\d+)\]_")


def _plain_references(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        line = _FOOTNOTE.sub(r"\1\2. ", line)
        lines[i] = _FOOTNOTE_REF.sub(r"[\1]", line)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_references, priority=600)
