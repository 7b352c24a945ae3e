"""Math as MathML, rendered by the browser: no MathJax, no network, no JavaScript.

``$...$`` and ``{math}`` in the pages are converted at build time with docutils'
LaTeX-to-MathML translator; every current browser displays MathML Core natively.
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.utils.math import latex2mathml
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


#: Sizing commands docutils does not know; MathML stretches delimiters by itself.
_SIZES = re.compile(r"\\(?:big|Big|bigg|Bigg)[lrm]?(?![A-Za-z])")


def _convert(latex: str, node: nodes.Node, block: bool) -> str:
    try:
        return latex2mathml.tex2mathml(_SIZES.sub("", latex), as_block=block)
    except Exception as exc:
        logger.warning("cannot convert math to MathML: %s (%r)", exc, latex, location=node)
        return f"<code>{latex}</code>"


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_convert(node.astext(), node, block=False))
    self.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    parts = [p for p in node.astext().split("\n\n") if p.strip()]
    for part in parts:
        self.body.append(_convert(part, node, block=True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> None:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
