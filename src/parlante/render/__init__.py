"""Rendering: FaceRig + motion codes -> photorealistic frames on the CPU (see ``Renderer``)."""

from parlante.render.model import PortraitModel, build_model
from parlante.render.renderer import Renderer

__all__ = ["PortraitModel", "Renderer", "build_model"]
