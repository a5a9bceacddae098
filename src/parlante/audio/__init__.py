"""Audio stage: a voice recording -> AudioTrack (frame-rate acoustic features)."""

from parlante.audio.align import TranscriptError, align_transcript, read_transcript
from parlante.audio.analyze import analyze_audio
from parlante.audio.loading import load_audio
from parlante.audio.stream import AudioFeatureStream, frame_count
from parlante.audio.synth import synth_vowels
from parlante.audio.track import AudioTrack, PhoneSegment
from parlante.audio.voice import VoiceUnavailableError, speak, text_to_ipa

__all__ = [
    "AudioFeatureStream",
    "AudioTrack",
    "PhoneSegment",
    "TranscriptError",
    "VoiceUnavailableError",
    "align_transcript",
    "analyze_audio",
    "frame_count",
    "load_audio",
    "read_transcript",
    "speak",
    "synth_vowels",
    "text_to_ipa",
]
