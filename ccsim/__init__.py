"""ccsim: discrete-event simulation of omnichannel contact centres."""

from ccsim._version import __version__

__all__ = ["__version__"]
