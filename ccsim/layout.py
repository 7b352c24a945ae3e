"""Names in results folders (the output contract, design.md section 6)."""

from __future__ import annotations

import re

__all__ = ["safe_name"]


def safe_name(label: str) -> str:
    """*label* as a folder name: runs of other characters than ``A-Za-z0-9_.-`` become ``-``.

    >>> safe_name("voice + chat / blended")
    'voice-chat-blended'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-.") or "scenario"
