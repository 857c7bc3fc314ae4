"""Block declarations and the registry built from them."""

from engine.registry.blocks import DECLARED, BlockType, Registry, block, default_registry
from engine.registry.params import MISSING, Kind, Output, Param, Ports

__all__ = [
    "DECLARED",
    "MISSING",
    "BlockType",
    "Kind",
    "Output",
    "Param",
    "Ports",
    "Registry",
    "block",
    "default_registry",
]
