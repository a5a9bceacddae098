"""Portrait analysis: any portrait -> a framed, segmented FaceRig (see ``analyze_portrait``).

MediaPipe loads on first use, so importing this package stays light.
"""

from parlante.face.analyze import analyze_portrait
from parlante.face.detection import FaceDetection, FaceMeshDetector, detect_faces
from parlante.face.image_file import load_image
from parlante.face.rig import FaceRig
from parlante.face.rig_file import load_rig, save_rig

__all__ = [
    "FaceDetection",
    "FaceMeshDetector",
    "FaceRig",
    "analyze_portrait",
    "detect_faces",
    "load_image",
    "load_rig",
    "save_rig",
]
